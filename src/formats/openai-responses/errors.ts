import type { ProxyError } from '../../core/errors'
import { encodeOpenAIError } from '../openai-chat/errors'
import type { EncodedError } from '../types'

/**
 * The Responses API shares OpenAI's error body.
 * @see https://platform.openai.com/docs/api-reference/responses
 */
export function encodeResponsesError(error: ProxyError): EncodedError {
  return encodeOpenAIError(error)
}

/**
 * The Responses stream's in-band error event.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming/error
 */
export function encodeResponsesStreamError(error: ProxyError): { event: string; data: string } {
  return { event: 'error', data: JSON.stringify({ type: 'error', code: error.code ?? null, message: error.message, param: error.param ?? null }) }
}
