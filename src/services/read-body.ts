import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync, zstdDecompressSync } from 'node:zlib'
import { ProxyError } from '../core/errors'

/**
 * Reads a request body as text, refusing more than `limit` bytes (checked before and while reading, and after
 * decompressing). A body sent with `Content-Encoding` (Codex CLI compresses with zstd) is decompressed first.
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-content-encoding
 */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared > limit) throw tooLarge(limit)
  const codings = contentCodings(request.headers)
  if (codings.length > 0) {
    const wire = declared >= 0 ? Buffer.from(await request.arrayBuffer()) : await readStreamed(request, limit)
    return decode(wire, codings, limit).toString('utf8')
  }
  // A declared length is read natively; touching `request.body` first would make a JS stream of it.
  if (declared >= 0) return await request.text()
  return (await readStreamed(request, limit)).toString('utf8')
}

/** Reads a body of undeclared length chunk by chunk, refusing it once it passes `limit` bytes. */
async function readStreamed(request: Request, limit: number): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0)
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
  return Buffer.concat(parts)
}

/** Decompressors by content coding; each stops at `max` bytes of output (a small body may inflate to gigabytes). */
const decoders: Record<string, (bytes: Buffer, max: number) => Buffer> = {
  zstd: (bytes, max) => zstdDecompressSync(bytes, { maxOutputLength: max }),
  gzip: (bytes, max) => gunzipSync(bytes, { maxOutputLength: max }),
  'x-gzip': (bytes, max) => gunzipSync(bytes, { maxOutputLength: max }),
  br: (bytes, max) => brotliDecompressSync(bytes, { maxOutputLength: max }),
  // "deflate" is zlib-wrapped, though some clients send it raw.
  deflate: (bytes, max) => (bytes[0] === 0x78 ? inflateSync(bytes, { maxOutputLength: max }) : inflateRawSync(bytes, { maxOutputLength: max })),
}

const MAX_CODINGS = 3

/** The content codings of a request body, in the order they were applied (`identity` dropped). */
function contentCodings(headers: Headers): string[] {
  const header = headers.get('content-encoding')
  if (header === null) return []
  return header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
}

/** Undoes the content codings, last applied first. */
function decode(wire: Buffer, codings: string[], limit: number): Buffer {
  if (codings.length > MAX_CODINGS) throw new ProxyError('invalid_request', `request body has ${codings.length} content codings; at most ${MAX_CODINGS} are undone`)
  let bytes = wire
  for (const coding of [...codings].reverse()) {
    const decompress = decoders[coding]
    if (!decompress) {
      throw new ProxyError('invalid_request', `request content-encoding "${coding}" is not supported: send the body as is, or as zstd, gzip, deflate or br`, { status: 415 })
    }
    try {
      bytes = decompress(bytes, limit)
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit)
      throw new ProxyError('invalid_request', `request body is not valid ${coding} data: ${(error as Error).message}`)
    }
  }
  return bytes
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
