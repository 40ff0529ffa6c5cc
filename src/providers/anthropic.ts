import { defineProvider } from './types'

/** Anthropic's own API with an API key. @see https://docs.anthropic.com/en/api/messages */
export const anthropic = defineProvider({
  id: 'anthropic',
  name: 'Anthropic',
  aliases: ['claude'],
  format: 'anthropic-messages',
  baseUrl: 'https://api.anthropic.com/v1',
  auth: { kind: 'header', name: 'x-api-key' },
  headers: { 'anthropic-version': '2023-06-01' },
  models: [
    { id: 'claude-opus-4-6', contextWindow: 200_000 },
    { id: 'claude-sonnet-4-6', contextWindow: 200_000 },
    { id: 'claude-haiku-4-5', contextWindow: 200_000 },
  ],
})
