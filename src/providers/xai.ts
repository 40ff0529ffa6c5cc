import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * xAI Grok. Reasoning models (grok-4*, grok-code*) reject presence/frequency penalties, `stop`
 * and `reasoning_effort`. Public list prices per 1M tokens.
 * @see https://docs.x.ai/docs/guides/reasoning
 */
export const xai = defineProvider({
  ...openaiCompatible,
  id: 'xai',
  name: 'xAI',
  aliases: ['grok'],
  baseUrl: 'https://api.x.ai/v1',
  modelRules: [{ match: /^grok-(4|code)/, dropParams: ['presence_penalty', 'frequency_penalty', 'stop', 'reasoning_effort'] }],
  models: [
    { id: 'grok-4', contextWindow: 256_000, pricing: { input: 3, output: 15, cacheRead: 0.75 } },
    { id: 'grok-4-fast-reasoning', contextWindow: 2_000_000, pricing: { input: 0.2, output: 0.5, cacheRead: 0.05 } },
    { id: 'grok-code-fast-1', contextWindow: 256_000, pricing: { input: 0.2, output: 1.5, cacheRead: 0.02 } },
    { id: 'grok-3-mini', contextWindow: 131_072, pricing: { input: 0.3, output: 0.5, cacheRead: 0.075 } },
  ],
  docs: 'https://docs.x.ai/docs/api-reference',
})
