import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * Groq: OpenAI-compatible; rejects logprobs and logit_bias. Public list prices per 1M tokens.
 * @see https://console.groq.com/docs/openai
 */
export const groq = defineProvider({
  ...openaiCompatible,
  id: 'groq',
  name: 'Groq',
  aliases: [],
  baseUrl: 'https://api.groq.com/openai/v1',
  dropParams: ['logprobs', 'top_logprobs', 'logit_bias'],
  models: [
    { id: 'openai/gpt-oss-120b', contextWindow: 131_072, pricing: { input: 0.15, output: 0.6 } },
    { id: 'openai/gpt-oss-20b', contextWindow: 131_072, pricing: { input: 0.075, output: 0.3 } },
    { id: 'moonshotai/kimi-k2-instruct-0905', contextWindow: 262_144, pricing: { input: 1, output: 3 } },
    { id: 'llama-3.3-70b-versatile', contextWindow: 131_072, pricing: { input: 0.59, output: 0.79 } },
    { id: 'llama-3.1-8b-instant', contextWindow: 131_072, pricing: { input: 0.05, output: 0.08 } },
    { id: 'qwen/qwen3-32b', contextWindow: 131_072, pricing: { input: 0.29, output: 0.59 } },
  ],
  docs: 'https://console.groq.com/docs/openai',
})
