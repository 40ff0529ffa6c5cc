import type { ErrorKind, ProxyError } from '../../core/errors'
import type { EncodedError } from '../types'

const typeByKind: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  upstream: 'api_error',
  overloaded: 'overloaded_error',
  timeout: 'timeout_error',
  internal: 'api_error',
}

/**
 * Anthropic error body `{type:"error",error:{type,message}}`.
 * @see https://docs.anthropic.com/en/api/errors
 */
export function encodeAnthropicError(error: ProxyError): EncodedError {
  return {
    status: error.status,
    body: { type: 'error', error: { type: typeByKind[error.kind], message: error.message } },
  }
}

/**
 * The in-band stream error Anthropic sends mid-stream: `event: error` with the error body.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events
 */
export function encodeAnthropicStreamError(error: Pick<ProxyError, 'status' | 'kind' | 'message'>): {
  event: string
  data: string
} {
  return { event: 'error', data: JSON.stringify({ type: 'error', error: { type: typeByKind[error.kind], message: error.message } }) }
}

/** Anthropic error `type` → error kind (for in-band errors read from an Anthropic stream). */
export function kindForAnthropicErrorType(type: unknown): ErrorKind {
  for (const kind in typeByKind) if (typeByKind[kind as ErrorKind] === type) return kind as ErrorKind
  return 'upstream'
}
