import type { ErrorKind, ProxyError } from '../../core/errors'
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
