import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * OpenRouter: one key for hundreds of models; `HTTP-Referer`/`X-Title` name the app on its leaderboard.
 * Prices are OpenRouter's public list prices per 1M tokens; its live list carries the rest.
 * @see https://openrouter.ai/docs/api-reference/overview
 */
export const openrouter = defineProvider({
  ...openaiCompatible,
  id: 'openrouter',
  name: 'OpenRouter',
  aliases: ['or'],
  baseUrl: 'https://openrouter.ai/api/v1',
  livePrices: true,
  headers: { 'HTTP-Referer': 'https://github.com/modelmux/modelmux', 'X-Title': 'modelmux' },
  models: [
    { id: 'anthropic/claude-sonnet-4.5', contextWindow: 1_000_000, pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
    { id: 'openai/gpt-5.1', contextWindow: 400_000, pricing: { input: 1.25, output: 10, cacheRead: 0.125 } },
    { id: 'google/gemini-2.5-pro', contextWindow: 1_048_576, pricing: { input: 1.25, output: 10 } },
    { id: 'x-ai/grok-code-fast-1', contextWindow: 256_000, pricing: { input: 0.2, output: 1.5, cacheRead: 0.02 } },
    { id: 'qwen/qwen3-coder:free', contextWindow: 262_144, pricing: { input: 0, output: 0 } },
  ],
  docs: 'https://openrouter.ai/docs/api-reference/overview',
})
