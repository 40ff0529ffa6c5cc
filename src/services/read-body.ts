import { ProxyError } from '../core/errors'

/** Reads a request body as text, refusing more than `limit` bytes (checked before and while reading). */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared > limit) throw tooLarge(limit)
  // A declared length is read natively; touching `request.body` first would make a JS stream of it.
  if (declared >= 0) return await request.text()
  if (!request.body) return ''
  const reader = request.body.getReader()
  const parts: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge(limit)
    }
    parts.push(value)
  }
  return Buffer.concat(parts).toString('utf8')
}

function tooLarge(limit: number): ProxyError {
  return new ProxyError('too_large', `request body is larger than the ${limit}-byte limit (settings.maxBodyBytes)`)
}

/** Accepts JSON (or no declared type); anything else is refused with 415. */
export function checkJsonContentType(headers: Headers): void {
  const type = headers.get('content-type')
  if (type === null) return
  const essence = type.split(';')[0].trim().toLowerCase()
  if (essence === 'application/json' || essence.endsWith('+json')) return
  throw new ProxyError('invalid_request', `content-type must be application/json, got "${essence}"`, { status: 415 })
}

/** Parses a JSON object body; a malformed or non-object body is a 400. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new ProxyError('invalid_request', `request body is not valid JSON: ${(error as Error).message}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProxyError('invalid_request', 'request body must be a JSON object')
  }
  return value as Record<string, unknown>
}
