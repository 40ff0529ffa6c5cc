import { anthropicCompatible } from './shared/anthropic-compatible'
import { defineProvider, type ModelInfo } from './types'

/** GLM models; prices are z.ai's public list prices per 1M tokens (the GLM Coding Plan is a subscription). */
export const glmModels: readonly ModelInfo[] = [
  { id: 'glm-4.7', contextWindow: 200_000, pricing: { input: 0.6, output: 2.2, cacheRead: 0.11 } },
  { id: 'glm-4.6', contextWindow: 200_000, pricing: { input: 0.6, output: 2.2, cacheRead: 0.11 } },
  { id: 'glm-4.5-air', contextWindow: 128_000, pricing: { input: 0.2, output: 1.1, cacheRead: 0.03 } },
]

/**
 * Z.ai GLM through its Anthropic-compatible endpoint (what Claude Code is pointed at).
 * @see https://docs.z.ai/scenario-example/develop-tools/claude
 */
export const glm = defineProvider({
  ...anthropicCompatible,
  id: 'glm',
  name: 'Z.ai GLM',
  aliases: ['zai'],
  baseUrl: 'https://api.z.ai/api/anthropic/v1',
  models: glmModels,
  docs: 'https://docs.z.ai/scenario-example/develop-tools/claude',
})
