import { anthropicCompatible } from './shared/anthropic-compatible'
import { defineProvider } from './types'

/**
 * Anthropic's own API with an API key. Prices are public list prices per 1M tokens (cache write = 5-minute TTL).
 * @see https://docs.anthropic.com/en/api/messages
 */
export const anthropic = defineProvider({
  ...anthropicCompatible,
  id: 'anthropic',
  name: 'Anthropic',
  aliases: ['claude'],
  baseUrl: 'https://api.anthropic.com/v1',
  listModels: '/models?limit=1000',
  models: [
    { id: 'claude-opus-4-6', contextWindow: 200_000, pricing: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 } },
    { id: 'claude-opus-4-5', contextWindow: 200_000, pricing: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 } },
    { id: 'claude-sonnet-4-6', contextWindow: 200_000, pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
    { id: 'claude-sonnet-4-5', contextWindow: 200_000, pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
    { id: 'claude-haiku-4-5', contextWindow: 200_000, pricing: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 } },
  ],
  docs: 'https://docs.anthropic.com/en/api/messages',
})
