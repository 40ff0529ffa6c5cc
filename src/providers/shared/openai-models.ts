import type { ModelInfo } from '../types'

// Above 272K input tokens GPT-6 models charge twice the input and cache rates and 1.5 times the output rate.
const LONG_CONTEXT = 272_000

/**
 * OpenAI's models with their public list prices per 1M tokens (cache writes: 30-minute retention); shared with
 * Azure OpenAI.
 * @see https://developers.openai.com/api/docs/pricing
 * @see https://developers.openai.com/api/docs/models/gpt-6.2-sol
 */
export const openaiModels: readonly ModelInfo[] = [
  { id: 'gpt-6.2-sol', contextWindow: 1_050_000, pricing: { input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5, longContext: { above: LONG_CONTEXT, input: 4, output: 15, cacheRead: 0.2, cacheWrite: 5 } } },
  { id: 'gpt-6.1-sol', contextWindow: 1_050_000, pricing: { input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5, longContext: { above: LONG_CONTEXT, input: 4, output: 15, cacheRead: 0.2, cacheWrite: 5 } } },
  { id: 'gpt-6-sol', contextWindow: 1_050_000, pricing: { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5, longContext: { above: LONG_CONTEXT, input: 4, output: 15, cacheRead: 0.4, cacheWrite: 5 } } },
  { id: 'gpt-6-luna', pricing: { input: 0.1, output: 0.5, cacheRead: 0.01, cacheWrite: 0.125 } },
  { id: 'gpt-5.1', contextWindow: 400_000, pricing: { input: 1.25, output: 10, cacheRead: 0.125 } },
  { id: 'gpt-5', contextWindow: 400_000, pricing: { input: 1.25, output: 10, cacheRead: 0.125 } },
  { id: 'gpt-5-mini', contextWindow: 400_000, pricing: { input: 0.25, output: 2, cacheRead: 0.025 } },
  { id: 'gpt-5-nano', contextWindow: 400_000, pricing: { input: 0.05, output: 0.4, cacheRead: 0.005 } },
  { id: 'gpt-4.1', contextWindow: 1_047_576, pricing: { input: 2, output: 8, cacheRead: 0.5 } },
  { id: 'gpt-4.1-mini', contextWindow: 1_047_576, pricing: { input: 0.4, output: 1.6, cacheRead: 0.1 } },
  { id: 'gpt-4o', contextWindow: 128_000, pricing: { input: 2.5, output: 10, cacheRead: 1.25 } },
  { id: 'o3', contextWindow: 200_000, pricing: { input: 2, output: 8, cacheRead: 0.5 } },
  { id: 'o4-mini', contextWindow: 200_000, pricing: { input: 1.1, output: 4.4, cacheRead: 0.275 } },
]
