import { insertRequestLog, type RequestLogRow } from '../store/request-logs'
import type { AppContext } from './context'

/** Default cap per logged body: enough for a long coding prompt, bounded for a day of heavy use. */
export const defaultMaxLoggedBodyBytes = 256 * 1024

const REDACTED = '[redacted]'
const secretHeader = /authorization|api[-_]?key|cookie|token|secret|password|signature|credential/i
const secretField = /^(api[-_]?key|apikey|x-api-key|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|password|secret|authorization|private[-_]?key)$/i
const secretQuery = /^(key|api[-_]?key|token|access[-_]?token|sig|signature)$/i
// Well-known credential shapes, caught wherever they appear (SSE text, error messages, prompts).
const secretPatterns = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\bya29\.[0-9A-Za-z._-]+/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
]

/** Whether full bodies are logged: `ENABLE_REQUEST_LOGS` wins, then `settings.requestLogs.enabled`. */
export function isRequestLoggingEnabled(context: AppContext): boolean {
  return context.runtime.enableRequestLogs ?? context.registry.settings.requestLogs?.enabled ?? false
}

/** Replaces known secrets and credential-shaped strings in a text. */
export function redactText(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let out = text
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.replaceAll(secret, REDACTED)
  for (const pattern of secretPatterns) out = out.replace(pattern, (match, scheme?: string) => (typeof scheme === 'string' && /^(bearer|basic)$/i.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED))
  return out
}

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, secretField.test(key) && typeof inner !== 'object' ? REDACTED : redactJson(inner)]))
}

/** Redacts a body: credential fields of JSON by name, then credential-shaped strings anywhere. */
export function redactBody(body: string, secrets: readonly (string | null | undefined)[] = []): string {
  let text = body
  const trimmed = body.trimStart()
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      text = JSON.stringify(redactJson(JSON.parse(body)))
    } catch {
      // Not one JSON document (a stream, a cut body): patterns still apply.
    }
  }
  return redactText(text, secrets)
}

/** Headers as a plain object with credential headers replaced. */
export function redactHeaders(headers: HeadersInit | undefined, secrets: readonly (string | null | undefined)[] = []): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of new Headers(headers)) out[name] = secretHeader.test(name) ? REDACTED : redactText(value, secrets)
  return out
}

/** A URL (absolute, or a path with a query) with credential query parameters (`?key=`, `?token=`) replaced. */
export function redactUrl(url: string): string {
  try {
    const relative = url.startsWith('/')
    const parsed = new URL(url, 'http://relative.invalid')
    for (const name of [...parsed.searchParams.keys()]) if (secretQuery.test(name)) parsed.searchParams.set(name, REDACTED)
    return redactText(relative ? parsed.pathname + parsed.search : parsed.toString())
  } catch {
    return redactText(url)
  }
}

function cap(text: string, maxBytes: number): { text: string; truncated: boolean } {
  if (text.length * 3 <= maxBytes) return { text, truncated: false }
  const bytes = new TextEncoder().encode(text)
  if (bytes.byteLength <= maxBytes) return { text, truncated: false }
  return { text: new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, ''), truncated: true }
}

/** What a caller knows about one side of an exchange before its answer. */
export interface ExchangeLog {
  requestId: string
  side: 'client' | 'upstream'
  /** The attempt number, for the upstream side. */
  attempt?: number
  method?: string
  url?: string
  requestHeaders?: HeadersInit
  requestBody?: string
  /** Secret values to remove wherever they appear (the connection's API key, OAuth tokens). */
  secrets?: readonly (string | null | undefined)[]
}

/** Redacts, caps and stores one side of an exchange now (for answers already read, or failures without one). */
export function writeRequestLog(context: AppContext, entry: ExchangeLog, answer: { status?: number; headers?: HeadersInit; body?: string } = {}): void {
  if (!isRequestLoggingEnabled(context)) return
  const maxBytes = context.registry.settings.requestLogs?.maxBodyBytes ?? defaultMaxLoggedBodyBytes
  const secrets = entry.secrets ?? []
  const request = cap(redactBody(entry.requestBody ?? '', secrets), maxBytes)
  const response = cap(redactBody(answer.body ?? '', secrets), maxBytes)
  const row: RequestLogRow = {
    at: context.now(),
    requestId: entry.requestId,
    side: entry.side,
    attempt: entry.attempt,
    method: entry.method,
    url: entry.url === undefined ? undefined : redactUrl(entry.url),
    status: answer.status,
    requestHeaders: entry.requestHeaders === undefined ? undefined : redactHeaders(entry.requestHeaders, secrets),
    requestBody: entry.requestBody === undefined ? undefined : request.text,
    responseHeaders: answer.headers === undefined ? undefined : redactHeaders(answer.headers, secrets),
    responseBody: answer.body === undefined ? undefined : response.text,
    truncated: request.truncated || response.truncated,
    bytes: (entry.requestBody?.length ?? 0) + (answer.body?.length ?? 0),
  }
  try {
    insertRequestLog(context.db, row)
  } catch (error) {
    console.error(`modelmux: could not store a request log: ${(error as Error).message}`)
  }
}

/**
 * Logs one side of an exchange once its answer has been read to the end (or abandoned), without changing
 * what flows: the returned Response streams the same bytes, pull by pull, and keeps only the first
 * `maxBodyBytes` for the log. Returns `response` itself when logging is off.
 */
export function logExchange(context: AppContext, entry: ExchangeLog, response: Response): Response {
  if (!isRequestLoggingEnabled(context)) return response
  const answer = { status: response.status, headers: new Headers(response.headers) }
  if (!response.body) {
    writeRequestLog(context, entry, { ...answer, body: '' })
    return response
  }
  const maxBytes = context.registry.settings.requestLogs?.maxBodyBytes ?? defaultMaxLoggedBodyBytes
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let kept = ''
  let keptBytes = 0
  let done = false
  const finish = (note = '') => {
    if (done) return
    done = true
    writeRequestLog(context, entry, { ...answer, body: kept + decoder.decode() + note })
  }
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await reader.read()
          if (next.done) {
            finish()
            controller.close()
            return
          }
          if (keptBytes < maxBytes + 1) {
            const slice = next.value.subarray(0, maxBytes + 1 - keptBytes)
            kept += decoder.decode(slice, { stream: true })
            keptBytes += slice.byteLength
          }
          controller.enqueue(next.value)
        } catch (error) {
          finish(`\n[stream failed: ${(error as Error)?.message ?? String(error)}]`)
          controller.error(error)
        }
      },
      cancel(reason) {
        finish('\n[client disconnected]')
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
}
