import { bearer } from './shared/auth'
import { defineProvider } from './types'

/**
 * Ollama Cloud: the same native API on ollama.com with a Bearer API key (a subscription, so no prices).
 * @see https://docs.ollama.com/cloud
 */
export const ollamaCloud = defineProvider({
  id: 'ollama-cloud',
  name: 'Ollama Cloud',
  aliases: [],
  format: 'ollama',
  baseUrl: 'https://ollama.com',
  auth: bearer(),
  listModels: '/api/tags',
  models: [
    { id: 'gpt-oss:120b', contextWindow: 131_072 },
    { id: 'qwen3-coder:480b', contextWindow: 262_144 },
    { id: 'deepseek-v3.1:671b', contextWindow: 163_840 },
    { id: 'kimi-k2:1t', contextWindow: 262_144 },
  ],
  docs: 'https://docs.ollama.com/cloud',
})
