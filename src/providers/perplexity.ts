import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * Perplexity Sonar: OpenAI-compatible search-grounded chat; no model-list API; rejects logprobs/logit_bias/n.
 * Public list token prices per 1M tokens (per-request search fees not included).
 * @see https://docs.perplexity.ai/api-reference/chat-completions-post
 */
export const perplexity = defineProvider({
  ...openaiCompatible,
  id: 'perplexity',
  name: 'Perplexity',
  aliases: ['pplx'],
  baseUrl: 'https://api.perplexity.ai',
  listModels: undefined,
  dropParams: ['logprobs', 'top_logprobs', 'logit_bias', 'n'],
  models: [
    { id: 'sonar', contextWindow: 128_000, pricing: { input: 1, output: 1 } },
    { id: 'sonar-pro', contextWindow: 200_000, pricing: { input: 3, output: 15 } },
    { id: 'sonar-reasoning-pro', contextWindow: 128_000, pricing: { input: 2, output: 8 } },
    { id: 'sonar-deep-research', contextWindow: 128_000, pricing: { input: 2, output: 8 } },
  ],
  docs: 'https://docs.perplexity.ai/api-reference/chat-completions-post',
})
