import { glmModels } from './glm'
import { anthropicCompatible } from './shared/anthropic-compatible'
import { defineProvider } from './types'

/**
 * Zhipu BigModel (mainland China) GLM through its Anthropic-compatible endpoint; billed in CNY, so no prices.
 * @see https://docs.bigmodel.cn/cn/guide/develop/claude/introduction
 */
export const glmCn = defineProvider({
  ...anthropicCompatible,
  id: 'glm-cn',
  name: 'Zhipu GLM (China)',
  aliases: ['zhipu', 'bigmodel'],
  baseUrl: 'https://open.bigmodel.cn/api/anthropic/v1',
  models: glmModels.map(({ id, contextWindow }) => ({ id, contextWindow })),
  docs: 'https://docs.bigmodel.cn/cn/guide/develop/claude/introduction',
})
