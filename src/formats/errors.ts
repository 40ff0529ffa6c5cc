import type { ProxyError } from '../core/errors'
import { encodeAnthropicError, encodeAnthropicStreamError } from './anthropic-messages/errors'
import { encodeGeminiError, encodeGeminiStreamError } from './gemini/errors'
import { encodeOllamaError, encodeOllamaStreamError } from './ollama/errors'
import { encodeOpenAIError, encodeOpenAIStreamError } from './openai-chat/errors'
import { encodeResponsesError, encodeResponsesStreamError } from './openai-responses/errors'
import type { EncodedError, ErrorEncoder, FormatId } from './types'

const encoders: Record<FormatId, ErrorEncoder> = {
  'openai-chat': encodeOpenAIError,
  'anthropic-messages': encodeAnthropicError,
  'openai-responses': encodeResponsesError,
  gemini: encodeGeminiError,
  ollama: encodeOllamaError,
}

/** Renders an error in the given wire format. */
export function encodeError(format: FormatId, error: ProxyError): EncodedError {
  return encoders[format](error)
}

const streamEncoders: Record<FormatId, (error: ProxyError) => { event?: string; data: string }> = {
  'openai-chat': encodeOpenAIStreamError,
  'anthropic-messages': encodeAnthropicStreamError,
  'openai-responses': encodeResponsesStreamError,
  gemini: encodeGeminiStreamError,
  ollama: encodeOllamaStreamError,
}

/** Renders an error as the in-band event a started stream of the given format carries. */
export function encodeStreamError(format: FormatId, error: ProxyError): string {
  const event = streamEncoders[format](error)
  if (format === 'ollama') return `${event.data}\n`
  return `${event.event ? `event: ${event.event}\n` : ''}data: ${event.data}\n\n`
}
