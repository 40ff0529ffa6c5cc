import { header } from './shared/auth'
import { defineProvider, embeddingPrices, type ModelInfo } from './types'

/** Gemini models with public list prices per 1M tokens (Pro models charge more for prompts above 200k tokens); shared with Vertex AI. */
export const geminiModels: readonly ModelInfo[] = [
  { id: 'gemini-3-pro-preview', contextWindow: 1_048_576, pricing: { input: 2, output: 12, cacheRead: 0.2, longContext: { above: 200_000, input: 4, output: 18, cacheRead: 0.4 } } },
  { id: 'gemini-2.5-pro', contextWindow: 1_048_576, pricing: { input: 1.25, output: 10, cacheRead: 0.125, longContext: { above: 200_000, input: 2.5, output: 15, cacheRead: 0.25 } } },
  { id: 'gemini-2.5-flash', contextWindow: 1_048_576, pricing: { input: 0.3, output: 2.5, cacheRead: 0.03 } },
  { id: 'gemini-2.5-flash-lite', contextWindow: 1_048_576, pricing: { input: 0.1, output: 0.4, cacheRead: 0.01 } },
]

/**
 * Google AI Studio (Gemini API) with an API key in `x-goog-api-key`.
 * @see https://ai.google.dev/api/generate-content
 */
export const gemini = defineProvider({
  id: 'gemini',
  name: 'Gemini (AI Studio)',
  aliases: ['google'],
  format: 'gemini',
  baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
  auth: header('x-goog-api-key'),
  listModels: '/models?pageSize=1000',
  models: geminiModels,
  // @see https://ai.google.dev/gemini-api/docs/pricing#gemini-embedding
  embeddingModels: embeddingPrices({ 'gemini-embedding-001': 0.15 }),
  docs: 'https://ai.google.dev/api/generate-content',
})
