import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * NVIDIA NIM (build.nvidia.com): free-tier hosted open models behind an OpenAI-compatible API (no list prices).
 * @see https://docs.api.nvidia.com/nim/reference/llm-apis
 */
export const nvidia = defineProvider({
  ...openaiCompatible,
  id: 'nvidia',
  name: 'NVIDIA NIM',
  aliases: ['nim'],
  baseUrl: 'https://integrate.api.nvidia.com/v1',
  models: [
    { id: 'moonshotai/kimi-k2-instruct-0905', contextWindow: 262_144 },
    { id: 'deepseek-ai/deepseek-v3.1', contextWindow: 131_072 },
    { id: 'qwen/qwen3-coder-480b-a35b-instruct', contextWindow: 262_144 },
    { id: 'openai/gpt-oss-120b', contextWindow: 131_072 },
    { id: 'meta/llama-3.3-70b-instruct', contextWindow: 131_072 },
  ],
  docs: 'https://docs.api.nvidia.com/nim/reference/llm-apis',
})
