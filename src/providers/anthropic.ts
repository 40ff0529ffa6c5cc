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
  // @see https://platform.claude.com/docs/en/about-claude/pricing
  models: [
    { id: 'claude-sonnet-5-5', contextWindow: 1_000_000, pricing: { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 } },
    { id: 'claude-opus-5-5', contextWindow: 1_000_000, pricing: { input: 4, output: 20, cacheRead: 0.2, cacheWrite: 5 } },
    { id: 'claude-sonnet-5', contextWindow: 1_000_000, pricing: { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 } },
    { id: 'claude-opus-5', contextWindow: 1_000_000, pricing: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 } },
    { id: 'claude-opus-4-6', contextWindow: 200_000, pricing: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 } },
    { id: 'claude-opus-4-5', contextWindow: 200_000, pricing: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 } },
    { id: 'claude-sonnet-4-6', contextWindow: 200_000, pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
    { id: 'claude-sonnet-4-5', contextWindow: 200_000, pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
    { id: 'claude-haiku-4-5', contextWindow: 200_000, pricing: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 } },
  ],
  docs: 'https://docs.anthropic.com/en/api/messages',
})
