import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * Cerebras: OpenAI-compatible; answers 400 to penalties, logit_bias and service_tier. Public list prices per 1M tokens.
 * @see https://inference-docs.cerebras.ai/resources/openai
 */
export const cerebras = defineProvider({
  ...openaiCompatible,
  id: 'cerebras',
  name: 'Cerebras',
  aliases: [],
  baseUrl: 'https://api.cerebras.ai/v1',
  dropParams: ['frequency_penalty', 'presence_penalty', 'logit_bias', 'service_tier'],
  models: [
    { id: 'gpt-oss-120b', contextWindow: 131_072, pricing: { input: 0.35, output: 0.75 } },
    { id: 'qwen-3-235b-a22b-instruct-2507', contextWindow: 131_072, pricing: { input: 0.6, output: 1.2 } },
    { id: 'zai-glm-4.6', contextWindow: 131_072 },
    { id: 'llama3.1-8b', contextWindow: 32_768, pricing: { input: 0.1, output: 0.1 } },
  ],
  docs: 'https://inference-docs.cerebras.ai/resources/openai',
})
