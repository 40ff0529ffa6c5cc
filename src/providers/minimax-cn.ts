import { minimaxModels } from './minimax'
import { anthropicCompatible } from './shared/anthropic-compatible'
import { defineProvider } from './types'

/**
 * MiniMax (mainland China) through its Anthropic-compatible endpoint; billed in CNY, so no prices.
 * @see https://platform.minimaxi.com/docs/api-reference/text-anthropic-api
 */
export const minimaxCn = defineProvider({
  ...anthropicCompatible,
  id: 'minimax-cn',
  name: 'MiniMax (China)',
  aliases: [],
  baseUrl: 'https://api.minimaxi.com/anthropic/v1',
  models: minimaxModels.map(({ id, contextWindow }) => ({ id, contextWindow })),
  docs: 'https://platform.minimaxi.com/docs/api-reference/text-anthropic-api',
})
