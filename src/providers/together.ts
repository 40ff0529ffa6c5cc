import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * Together AI: open models behind an OpenAI-compatible API. Public list prices per 1M tokens.
 * @see https://docs.together.ai/reference/chat-completions-1
 */
export const together = defineProvider({
  ...openaiCompatible,
  id: 'together',
  name: 'Together AI',
  aliases: ['tg'],
  baseUrl: 'https://api.together.xyz/v1',
  models: [
    { id: 'Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8', contextWindow: 262_144, pricing: { input: 2, output: 2 } },
    { id: 'moonshotai/Kimi-K2-Instruct-0905', contextWindow: 262_144, pricing: { input: 1, output: 3 } },
    { id: 'deepseek-ai/DeepSeek-V3', contextWindow: 131_072, pricing: { input: 1.25, output: 1.25 } },
    { id: 'openai/gpt-oss-120b', contextWindow: 131_072, pricing: { input: 0.15, output: 0.6 } },
    { id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', contextWindow: 131_072, pricing: { input: 0.88, output: 0.88 } },
  ],
  docs: 'https://docs.together.ai/reference/chat-completions-1',
})
