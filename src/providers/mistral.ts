import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider, embeddingPrices } from './types'

/**
 * Mistral: forbids unknown fields, so OpenAI-only ones are dropped; `seed` is `random_seed` there.
 * Streams carry usage without `stream_options`. Public list prices per 1M tokens.
 * @see https://docs.mistral.ai/api/#tag/chat
 * @see https://docs.mistral.ai/guides/prefix/
 */
export const mistral = defineProvider({
  ...openaiCompatible,
  id: 'mistral',
  name: 'Mistral',
  aliases: [],
  baseUrl: 'https://api.mistral.ai/v1',
  dropParams: ['stream_options', 'logprobs', 'top_logprobs', 'logit_bias', 'user', 'store', 'metadata', 'service_tier'],
  renameParams: { seed: 'random_seed', max_completion_tokens: 'max_tokens' },
  // An assistant message marked `prefix` is the start of the answer (carrying a broken stream on uses it).
  target: { prefillMember: 'prefix' },
  models: [
    { id: 'mistral-medium-latest', contextWindow: 128_000, pricing: { input: 0.4, output: 2 } },
    { id: 'mistral-large-latest', contextWindow: 128_000 },
    { id: 'mistral-small-latest', contextWindow: 128_000, pricing: { input: 0.1, output: 0.3 } },
    { id: 'codestral-latest', contextWindow: 256_000, pricing: { input: 0.3, output: 0.9 } },
    { id: 'devstral-medium-latest', contextWindow: 128_000, pricing: { input: 0.4, output: 2 } },
  ],
  // @see https://mistral.ai/pricing#api-pricing
  embeddingModels: embeddingPrices({ 'mistral-embed': 0.1, 'codestral-embed': 0.15 }),
  docs: 'https://docs.mistral.ai/api/',
})
