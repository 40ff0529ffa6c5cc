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
