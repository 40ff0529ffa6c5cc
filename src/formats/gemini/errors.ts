import { kindForStatus, ProxyError, type ErrorKind } from '../../core/errors'
import type { StreamError } from '../../core/ir'
import type { EncodedError } from '../types'

const statusByKind: Record<ErrorKind, string> = {
  invalid_request: 'INVALID_ARGUMENT',
  authentication: 'UNAUTHENTICATED',
  permission: 'PERMISSION_DENIED',
  not_found: 'NOT_FOUND',
  too_large: 'INVALID_ARGUMENT',
  rate_limit: 'RESOURCE_EXHAUSTED',
  upstream: 'INTERNAL',
  overloaded: 'UNAVAILABLE',
  timeout: 'DEADLINE_EXCEEDED',
  internal: 'INTERNAL',
}

/**
 * Google API error body `{error:{code,message,status}}`.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export function encodeGeminiError(error: ProxyError): EncodedError {
  return {
    status: error.status,
    body: { error: { code: error.status, message: error.message, status: statusByKind[error.kind] } },
  }
}

/** Gemini's in-band stream error: one SSE `data:` line with the error body (`@google/genai` needs code 400–599). */
export function encodeGeminiStreamError(error: ProxyError): { data: string } {
  return { data: JSON.stringify(encodeGeminiError(error).body) }
}

const kindByStatus: Record<string, ErrorKind> = {
  INVALID_ARGUMENT: 'invalid_request',
  FAILED_PRECONDITION: 'invalid_request',
  OUT_OF_RANGE: 'invalid_request',
  UNAUTHENTICATED: 'authentication',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
  RESOURCE_EXHAUSTED: 'rate_limit',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'timeout',
  INTERNAL: 'upstream',
  UNKNOWN: 'upstream',
  ABORTED: 'upstream',
  CANCELLED: 'upstream',
}

/**
 * Reads a Google error object `{code, message, status, details}` (HTTP body or in-band stream
 * event): the kind comes from the gRPC `status` name (RESOURCE_EXHAUSTED → rate_limit), else from
 * the HTTP code; `retryAfterMs` from a `RetryInfo` detail (`"34.4s"`).
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export function decodeGeminiErrorObject(error: unknown): StreamError & { retryAfterMs?: number } {
  const body = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as Record<string, unknown>
  const name = typeof body.status === 'string' ? body.status : undefined
  const code = typeof body.code === 'number' && body.code >= 400 && body.code <= 599 ? body.code : undefined
  const kind = (name && kindByStatus[name]) || (code !== undefined ? kindForStatus(code) : 'upstream')
  const decoded: StreamError & { retryAfterMs?: number } = {
    status: code ?? new ProxyError(kind, '').status,
    kind,
    message: typeof body.message === 'string' ? body.message : 'upstream error',
  }
  if (name) decoded.code = name
  if (Array.isArray(body.details)) {
    for (const detail of body.details as Array<Record<string, unknown>>) {
      const delay = typeof detail?.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay) : null
      if (delay) decoded.retryAfterMs = Math.round(Number(delay[1]) * 1000)
    }
  }
  return decoded
}

/** Reads Gemini's in-band stream error `{"error":{code,message,status}}` as a stream error. */
export function decodeGeminiStreamError(error: unknown): StreamError {
  const { retryAfterMs: _retry, ...decoded } = decodeGeminiErrorObject(error)
  return decoded
}

/**
 * Reads a Gemini HTTP error body (`{error:{…}}`, or a one-element array of it) as a ProxyError.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export function decodeGeminiError(status: number, body: unknown): ProxyError {
  const error = Array.isArray(body) ? (body[0] as Record<string, unknown> | undefined)?.error : (body as Record<string, unknown> | null)?.error
  const decoded = decodeGeminiErrorObject(error ?? { code: status, message: `upstream answered HTTP ${status}` })
  return new ProxyError(decoded.kind, decoded.message, { status, code: decoded.code })
}
