import type { ProxyError } from '../core/errors'
import { encodeAnthropicError } from './anthropic-messages/errors'
import { encodeGeminiError } from './gemini/errors'
import { encodeOllamaError } from './ollama/errors'
import { encodeOpenAIError } from './openai-chat/errors'
import { encodeResponsesError } from './openai-responses/errors'
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
