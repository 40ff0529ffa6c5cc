import { defineProvider } from './types'

/** OpenAI's own API. @see https://platform.openai.com/docs/api-reference/chat */
export const openai = defineProvider({
  id: 'openai',
  name: 'OpenAI',
  aliases: ['oai'],
  format: 'openai-chat',
  baseUrl: 'https://api.openai.com/v1',
  auth: { kind: 'bearer' },
  models: [{ id: 'gpt-5.1', contextWindow: 400_000 }, { id: 'gpt-5-mini', contextWindow: 400_000 }, { id: 'gpt-4.1', contextWindow: 1_047_576 }],
})
