import type { ErrorKind, ProxyError } from '../../core/errors'
import type { StreamError } from '../../core/ir'
import { isObject, type JsonObject } from '../../core/json'
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

const kindByCode: Record<string, ErrorKind> = {
  rate_limit_exceeded: 'rate_limit',
  insufficient_quota: 'rate_limit',
  server_is_overloaded: 'overloaded',
  slow_down: 'overloaded',
  server_error: 'upstream',
  vector_store_timeout: 'timeout',
  context_length_exceeded: 'invalid_request',
  invalid_prompt: 'invalid_request',
  invalid_request_error: 'invalid_request',
}

const statusByKind: Partial<Record<ErrorKind, number>> = { rate_limit: 429, overloaded: 529, timeout: 504, invalid_request: 400 }

const codeByKind: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'invalid_api_key',
  permission: 'permission_denied',
  not_found: 'not_found',
  too_large: 'context_length_exceeded',
  rate_limit: 'rate_limit_exceeded',
  upstream: 'server_error',
  overloaded: 'server_is_overloaded',
  timeout: 'server_error',
  internal: 'server_error',
}

/**
 * Reads a Responses stream failure: an `error` event (`{code,message,param}`, flat or under
 * `error`) or the `error` of a failed response. Image and prompt errors are the caller's fault.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-error
 */
export function decodeResponsesStreamError(payload: unknown): StreamError {
  const body = (isObject(payload) && isObject(payload.error) ? payload.error : isObject(payload) ? payload : {}) as JsonObject
  const code = typeof body.code === 'string' ? body.code : typeof body.type === 'string' && body.type !== 'error' ? body.type : undefined
  const kind: ErrorKind = (code && kindByCode[code]) || (code && /image|invalid/.test(code) ? 'invalid_request' : 'upstream')
  const error: StreamError = { status: statusByKind[kind] ?? 502, kind, message: String(body.message ?? 'upstream error') }
  if (code !== undefined) error.code = code
  return error
}

/** The `code` a Responses client sees for an error (its own code when it has one, else one that fits its kind). */
export function responsesErrorCode(error: Pick<StreamError, 'kind' | 'code'>): string {
  return error.code ?? codeByKind[error.kind]
}
