import type { ProxyError } from '../../core/errors'
import type { EncodedError } from '../types'

/**
 * Ollama error body `{error:"message"}`.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#errors
 */
export function encodeOllamaError(error: ProxyError): EncodedError {
  return { status: error.status, body: { error: error.message } }
}

/** Ollama's in-band stream error: one NDJSON line `{"error":"…"}` (the `data` is the line). */
export function encodeOllamaStreamError(error: ProxyError): { data: string } {
  return { data: JSON.stringify(encodeOllamaError(error).body) }
}
