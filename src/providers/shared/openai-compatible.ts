import { bearer } from './auth'

/** What most hosted OpenAI-compatible APIs share: Chat Completions, Bearer key, `GET /models`. */
export const openaiCompatible = {
  format: 'openai-chat',
  auth: bearer(),
  listModels: '/models',
} as const
