import { anthropicCompatible } from './shared/anthropic-compatible'
import { defineProvider, type ModelInfo } from './types'

/** MiniMax models; public list prices per 1M tokens on the international platform. */
export const minimaxModels: readonly ModelInfo[] = [
  { id: 'MiniMax-M2.1', contextWindow: 204_800, pricing: { input: 0.3, output: 1.2, cacheRead: 0.03, cacheWrite: 0.375 } },
  { id: 'MiniMax-M2', contextWindow: 204_800, pricing: { input: 0.3, output: 1.2, cacheRead: 0.03, cacheWrite: 0.375 } },
]

/**
 * MiniMax (international) through its Anthropic-compatible endpoint.
 * @see https://platform.minimax.io/docs/api-reference/text-anthropic-api
 */
export const minimax = defineProvider({
  ...anthropicCompatible,
  id: 'minimax',
  name: 'MiniMax',
  aliases: ['mm'],
  baseUrl: 'https://api.minimax.io/anthropic/v1',
  models: minimaxModels,
  docs: 'https://platform.minimax.io/docs/api-reference/text-anthropic-api',
})
