import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * Cohere through its OpenAI Compatibility API, which rejects several OpenAI-only fields.
 * Public list prices per 1M tokens.
 * @see https://docs.cohere.com/docs/compatibility-api
 */
export const cohere = defineProvider({
  ...openaiCompatible,
  id: 'cohere',
  name: 'Cohere',
  aliases: [],
  baseUrl: 'https://api.cohere.ai/compatibility/v1',
  dropParams: ['store', 'metadata', 'logit_bias', 'top_logprobs', 'n', 'modalities', 'prediction', 'audio', 'service_tier', 'parallel_tool_calls'],
  models: [
    { id: 'command-a-03-2025', contextWindow: 256_000, pricing: { input: 2.5, output: 10 } },
    { id: 'command-a-reasoning-08-2025', contextWindow: 256_000 },
    { id: 'command-r-plus-08-2024', contextWindow: 128_000, pricing: { input: 2.5, output: 10 } },
    { id: 'command-r-08-2024', contextWindow: 128_000, pricing: { input: 0.15, output: 0.6 } },
  ],
  docs: 'https://docs.cohere.com/docs/compatibility-api',
})
