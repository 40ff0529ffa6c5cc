import { openaiCompatible } from './shared/openai-compatible'
import { openaiReasoningModels } from './shared/openai-reasoning'
import { defineProvider, embeddingPrices } from './types'

/**
 * OpenAI's own API. Prices are public list prices per 1M tokens.
 * @see https://platform.openai.com/docs/api-reference/chat
 */
export const openai = defineProvider({
  ...openaiCompatible,
  id: 'openai',
  name: 'OpenAI',
  aliases: ['oai'],
  baseUrl: 'https://api.openai.com/v1',
  modelRules: [openaiReasoningModels],
  models: [
    { id: 'gpt-5.1', contextWindow: 400_000, pricing: { input: 1.25, output: 10, cacheRead: 0.125 } },
    { id: 'gpt-5', contextWindow: 400_000, pricing: { input: 1.25, output: 10, cacheRead: 0.125 } },
    { id: 'gpt-5-mini', contextWindow: 400_000, pricing: { input: 0.25, output: 2, cacheRead: 0.025 } },
    { id: 'gpt-5-nano', contextWindow: 400_000, pricing: { input: 0.05, output: 0.4, cacheRead: 0.005 } },
    { id: 'gpt-4.1', contextWindow: 1_047_576, pricing: { input: 2, output: 8, cacheRead: 0.5 } },
    { id: 'gpt-4.1-mini', contextWindow: 1_047_576, pricing: { input: 0.4, output: 1.6, cacheRead: 0.1 } },
    { id: 'gpt-4o', contextWindow: 128_000, pricing: { input: 2.5, output: 10, cacheRead: 1.25 } },
    { id: 'o3', contextWindow: 200_000, pricing: { input: 2, output: 8, cacheRead: 0.5 } },
    { id: 'o4-mini', contextWindow: 200_000, pricing: { input: 1.1, output: 4.4, cacheRead: 0.275 } },
  ],
  // @see https://platform.openai.com/docs/pricing
  embeddingModels: embeddingPrices({ 'text-embedding-3-small': 0.02, 'text-embedding-3-large': 0.13, 'text-embedding-ada-002': 0.1 }),
  docs: 'https://platform.openai.com/docs/api-reference/chat',
})
