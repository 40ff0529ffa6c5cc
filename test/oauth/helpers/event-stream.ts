import { crc32 } from 'node:zlib'

/** Builds one AWS event-stream message (string headers only), independently of the decoder under test. */
export function encodeEventStreamFrame(headers: Record<string, string>, payload: string | Uint8Array): Uint8Array {
  const encoder = new TextEncoder()
  const headerParts: number[] = []
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = encoder.encode(name)
    const valueBytes = encoder.encode(value)
    headerParts.push(nameBytes.length, ...nameBytes, 7, valueBytes.length >> 8, valueBytes.length & 0xff, ...valueBytes)
  }
  const body = typeof payload === 'string' ? encoder.encode(payload) : payload
  const total = 12 + headerParts.length + body.length + 4
  const frame = new Uint8Array(total)
  const view = new DataView(frame.buffer)
  view.setUint32(0, total)
  view.setUint32(4, headerParts.length)
  view.setUint32(8, crc32(frame.subarray(0, 8)))
  frame.set(headerParts, 12)
  frame.set(body, 12 + headerParts.length)
  view.setUint32(total - 4, crc32(frame.subarray(0, total - 4)))
  return frame
}

/** An `event` message of a Kiro stream. */
export function kiroEvent(type: string, payload: unknown): Uint8Array {
  return encodeEventStreamFrame({ ':message-type': 'event', ':event-type': type, ':content-type': 'application/json' }, JSON.stringify(payload))
}

/** Joins byte arrays. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** A readable stream that yields the given chunks. */
export function streamOf<T>(chunks: T[]): ReadableStream<T> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
}

/** Reads a stream to an array. */
export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of stream) out.push(item)
  return out
}
