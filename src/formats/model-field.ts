import type { FormatId } from './types'

/**
 * The response field that names the answering model, per wire format (Gemini calls it `modelVersion`).
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */
export const responseModelField: Readonly<Record<FormatId, string>> = {
  'openai-chat': 'model',
  'anthropic-messages': 'model',
  'openai-responses': 'model',
  gemini: 'modelVersion',
  ollama: 'model',
}
