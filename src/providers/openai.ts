import { openaiCompatible } from './shared/openai-compatible'
import { openaiModels } from './shared/openai-models'
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
  models: openaiModels,
  // @see https://platform.openai.com/docs/pricing
  embeddingModels: embeddingPrices({ 'text-embedding-3-small': 0.02, 'text-embedding-3-large': 0.13, 'text-embedding-ada-002': 0.1 }),
  docs: 'https://platform.openai.com/docs/api-reference/chat',
})
