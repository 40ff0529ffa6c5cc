/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`), the binary stream Kiro
 * (CodeWhisperer `generateAssistantResponse`) answers with. Each message: a 12-byte prelude (total
 * length, headers length, CRC32 of those 8 bytes), typed headers, the payload, and a CRC32 of
 * everything before it. Both checksums are verified. Pure.
 * @see https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html
 * @module
 */

/** A header value as the spec types it (byte arrays stay bytes, 64-bit integers become bigint). */
export type EventStreamHeaderValue = boolean | number | bigint | string | Uint8Array

/** One decoded event-stream message. */
export interface EventStreamMessage {
  headers: Record<string, EventStreamHeaderValue>
  payload: Uint8Array
}

/** A malformed or corrupted frame. */
export class EventStreamError extends Error {
  override name = 'EventStreamError'
}

const PRELUDE = 12
const TRAILER = 4
/** Upper bound for one message; AWS caps event-stream messages at 16 MB. */
const MAX_MESSAGE = 16 * 1024 * 1024

const crcTable = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 (IEEE 802.3, the zlib one) of bytes. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff
  for (let i = start; i < end; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

const utf8 = new TextDecoder('utf-8')

function decodeHeaders(bytes: Uint8Array, view: DataView, start: number, end: number): Record<string, EventStreamHeaderValue> {
  const headers: Record<string, EventStreamHeaderValue> = {}
  let at = start
  const need = (count: number) => {
    if (at + count > end) throw new EventStreamError('event-stream header runs past its section')
  }
  while (at < end) {
    need(1)
    const nameLength = bytes[at++]
    need(nameLength + 1)
    const name = utf8.decode(bytes.subarray(at, at + nameLength))
    at += nameLength
    const type = bytes[at++]
    switch (type) {
      case 0:
      case 1:
        headers[name] = type === 0
        break
      case 2:
        need(1)
        headers[name] = view.getInt8(at)
        at += 1
        break
      case 3:
        need(2)
        headers[name] = view.getInt16(at)
        at += 2
        break
      case 4:
        need(4)
        headers[name] = view.getInt32(at)
        at += 4
        break
      case 5:
      case 8:
        need(8)
        headers[name] = view.getBigInt64(at)
        at += 8
        break
      case 6:
      case 7: {
        need(2)
        const length = view.getUint16(at)
        at += 2
        need(length)
        const value = bytes.subarray(at, at + length)
        headers[name] = type === 7 ? utf8.decode(value) : value.slice()
        at += length
        break
      }
      case 9:
        need(16)
        headers[name] = bytes.slice(at, at + 16)
        at += 16
        break
      default:
        throw new EventStreamError(`unknown event-stream header type ${type}`)
    }
  }
  return headers
}

/** Decodes one complete message at the start of `bytes` (exactly `total` long, as its prelude says). */
export function decodeEventStreamMessage(bytes: Uint8Array): EventStreamMessage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < PRELUDE + TRAILER) throw new EventStreamError('event-stream message shorter than its prelude')
  const total = view.getUint32(0)
  const headersLength = view.getUint32(4)
  if (total !== bytes.length) throw new EventStreamError(`event-stream message length ${total} does not match ${bytes.length} bytes`)
  if (view.getUint32(8) !== crc32(bytes, 0, 8)) throw new EventStreamError('event-stream prelude checksum mismatch')
  if (view.getUint32(total - TRAILER) !== crc32(bytes, 0, total - TRAILER)) throw new EventStreamError('event-stream message checksum mismatch')
  if (PRELUDE + headersLength > total - TRAILER) throw new EventStreamError('event-stream headers longer than the message')
  const headers = decodeHeaders(bytes, view, PRELUDE, PRELUDE + headersLength)
  return { headers, payload: bytes.slice(PRELUDE + headersLength, total - TRAILER) }
}

/** Bytes → event-stream messages, across any chunking; a corrupted frame errors the stream. */
export function createEventStreamDecoder(): TransformStream<Uint8Array, EventStreamMessage> {
  let buffer: Uint8Array = new Uint8Array(0)
  return new TransformStream({
    transform(chunk, controller) {
      if (buffer.length === 0) buffer = chunk
      else {
        const joined = new Uint8Array(buffer.length + chunk.length)
        joined.set(buffer)
        joined.set(chunk, buffer.length)
        buffer = joined
      }
      let offset = 0
      while (buffer.length - offset >= PRELUDE) {
        const view = new DataView(buffer.buffer, buffer.byteOffset + offset, PRELUDE)
        const total = view.getUint32(0)
        if (total < PRELUDE + TRAILER || total > MAX_MESSAGE) throw new EventStreamError(`event-stream message length ${total} out of range`)
        if (view.getUint32(8) !== crc32(buffer, offset, offset + 8)) throw new EventStreamError('event-stream prelude checksum mismatch')
        if (buffer.length - offset < total) break
        controller.enqueue(decodeEventStreamMessage(buffer.subarray(offset, offset + total)))
        offset += total
      }
      buffer = offset === buffer.length ? new Uint8Array(0) : buffer.slice(offset)
    },
    flush() {
      if (buffer.length > 0) throw new EventStreamError(`event-stream ended inside a message (${buffer.length} bytes left)`)
    },
  })
}
