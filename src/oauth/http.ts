/**
 * Small HTTP helpers for OAuth endpoints: form or JSON bodies, lenient JSON answers, and an error that
 * says whether a failure is permanent (the grant was refused: log in again) or passing (try later).
 * @module
 */

/** A failed OAuth or account call. `permanent`: the credential was refused and retrying cannot help. */
export class OAuthError extends Error {
  override name = 'OAuthError'
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly status?: number,
    /** The OAuth `error` code (`invalid_grant`, `authorization_pending`…). */
    readonly code?: string,
  ) {
    super(message)
  }
}

/** How to send one request. */
export interface HttpRequest {
  method?: 'GET' | 'POST'
  /** `application/x-www-form-urlencoded` body. */
  form?: Record<string, string | undefined>
  /** JSON body. */
  json?: unknown
  headers?: Record<string, string>
  /** HTTP Basic client authentication (RFC 6749 §2.3.1). */
  basic?: { username: string; password: string }
}

/** A JSON (or text) answer with its status. */
export interface HttpAnswer {
  status: number
  headers: Headers
  json: Record<string, unknown> | undefined
  text: string
}

/** Sends a request and reads the answer leniently; network failures become passing OAuthErrors. */
export async function sendRequest(fetchImpl: typeof fetch, url: string, request: HttpRequest = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers }
  let body: string | undefined
  if (request.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(request.form)) if (value !== undefined) params.set(name, value)
    body = params.toString()
  } else if (request.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(request.json)
  }
  if (request.basic) headers.authorization = `Basic ${Buffer.from(`${request.basic.username}:${request.basic.password}`).toString('base64')}`
  let response: Response
  try {
    response = await fetchImpl(url, { method: request.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, redirect: 'manual', signal: AbortSignal.timeout(30_000) })
  } catch (error) {
    throw new OAuthError(`cannot reach ${new URL(url).host}: ${(error as Error)?.message ?? String(error)}`, false)
  }
  const text = await response.text().catch(() => '')
  let json: Record<string, unknown> | undefined
  try {
    const parsed = JSON.parse(text)
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, json, text }
}

/** The OAuth `error` code and a readable message of an error answer. */
export function describeError(answer: HttpAnswer): { code?: string; message: string } {
  const body = answer.json ?? {}
  const nested = typeof body.error === 'object' && body.error !== null ? (body.error as Record<string, unknown>) : undefined
  const code = typeof body.error === 'string' ? body.error : typeof nested?.type === 'string' ? nested.type : typeof nested?.code === 'string' ? nested.code : undefined
  const detail =
    (typeof body.error_description === 'string' && body.error_description) ||
    (typeof nested?.message === 'string' && nested.message) ||
    (typeof body.message === 'string' && body.message) ||
    answer.text.slice(0, 200)
  return { code, message: [code, detail].filter(Boolean).join(': ') || `HTTP ${answer.status}` }
}

/**
 * Sends a token-endpoint request and returns its JSON. 400/401/403 mean the grant or client was refused
 * (permanent, RFC 6749 §5.2); 429, 5xx and network faults are passing.
 */
export async function requestToken(fetchImpl: typeof fetch, url: string, request: HttpRequest, what: string): Promise<Record<string, unknown>> {
  const answer = await sendRequest(fetchImpl, url, request)
  if (answer.status >= 200 && answer.status < 300 && answer.json) return answer.json
  const { code, message } = describeError(answer)
  const permanent = answer.status === 400 || answer.status === 401 || answer.status === 403
  throw new OAuthError(`${what} failed (HTTP ${answer.status}): ${message}`, permanent, answer.status, code)
}

/** Sends an account request (user info, quota) and returns its JSON; any failure throws a passing OAuthError unless 401/403. */
export async function requestJson(fetchImpl: typeof fetch, url: string, request: HttpRequest, what: string): Promise<Record<string, unknown>> {
  const answer = await sendRequest(fetchImpl, url, request)
  if (answer.status >= 200 && answer.status < 300 && answer.json) return answer.json
  const { code, message } = describeError(answer)
  throw new OAuthError(`${what} failed (HTTP ${answer.status}): ${message}`, answer.status === 401 || answer.status === 403, answer.status, code)
}

/** `expires_in` seconds → absolute epoch ms (undefined when the answer has none). */
export function expiryFrom(json: Record<string, unknown>, now: number, field = 'expires_in'): number | undefined {
  const value = Number(json[field])
  return Number.isFinite(value) && value > 0 ? now + value * 1000 : undefined
}

/** A string field, or undefined. */
export function stringField(json: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = json?.[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}
