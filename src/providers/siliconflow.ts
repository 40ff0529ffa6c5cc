import { openaiCompatible } from './shared/openai-compatible'
import { defineProvider } from './types'

/**
 * SiliconFlow (international; `https://api.siliconflow.cn/v1` for mainland China): open models, OpenAI-compatible.
 * @see https://docs.siliconflow.com/en/api-reference/chat-completions/chat-completions
 */
export const siliconflow = defineProvider({
  ...openaiCompatible,
  id: 'siliconflow',
  name: 'SiliconFlow',
  aliases: ['sf'],
  baseUrl: 'https://api.siliconflow.com/v1',
  models: [
    { id: 'deepseek-ai/DeepSeek-V3.2', contextWindow: 163_840 },
    { id: 'Qwen/Qwen3-Coder-480B-A35B-Instruct', contextWindow: 262_144 },
    { id: 'moonshotai/Kimi-K2-Instruct-0905', contextWindow: 262_144 },
    { id: 'zai-org/GLM-4.6', contextWindow: 200_000 },
  ],
  docs: 'https://docs.siliconflow.com/en/api-reference/chat-completions/chat-completions',
})
