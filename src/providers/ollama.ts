import { none } from './shared/auth'
import { defineProvider } from './types'

/**
 * A local Ollama server: no key, native `/api/chat` (NDJSON streams), models from `/api/tags`.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md
 */
export const ollama = defineProvider({
  id: 'ollama',
  name: 'Ollama (local)',
  aliases: ['ollama-local'],
  format: 'ollama',
  baseUrl: 'http://127.0.0.1:11434',
  auth: none(),
  listModels: '/api/tags',
  docs: 'https://github.com/ollama/ollama/blob/main/docs/api.md',
})
