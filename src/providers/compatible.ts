import { defineProvider } from './types'

/** Any server that speaks OpenAI Chat Completions (vLLM, LM Studio, llama.cpp, LiteLLM…). */
export const openaiCompatible = defineProvider({
  id: 'openai-compatible',
  name: 'OpenAI-compatible',
  aliases: [],
  format: 'openai-chat',
  auth: { kind: 'bearer' },
  custom: true,
  listModels: '/models',
})

/** Any server that speaks Anthropic Messages. */
export const anthropicCompatible = defineProvider({
  id: 'anthropic-compatible',
  name: 'Anthropic-compatible',
  aliases: [],
  format: 'anthropic-messages',
  auth: { kind: 'header', name: 'x-api-key' },
  headers: { 'anthropic-version': '2023-06-01' },
  custom: true,
  listModels: '/models',
})

/** Any server that speaks the Gemini generateContent API. */
export const geminiCompatible = defineProvider({
  id: 'gemini-compatible',
  name: 'Gemini-compatible',
  aliases: [],
  format: 'gemini',
  auth: { kind: 'header', name: 'x-goog-api-key' },
  custom: true,
  listModels: '/models',
})

/** Any server that speaks the OpenAI Responses API. */
export const responsesCompatible = defineProvider({
  id: 'responses-compatible',
  name: 'Responses-compatible',
  aliases: [],
  format: 'openai-responses',
  auth: { kind: 'bearer' },
  custom: true,
  listModels: '/models',
})
