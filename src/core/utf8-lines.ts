/**
 * UTF-8 bytes → text for a line parser, keeping ASCII lines as one-byte strings. A decoded chunk with a single
 * non-ASCII character becomes a two-byte string as a whole, and every slice, compare and search on it then runs
 * at half speed or worse; a recorded 98 KB OpenAI stream has three such characters. Decoding the lines around
 * them apart leaves the rest of the chunk in the engine's fast one-byte form.
 * @module
 */
import { isAscii } from 'node:buffer'

const LF = 10
// Chunk regions are checked this many bytes at a time before a non-ASCII byte is searched for in one.
const BLOCK = 4096

/** The index of the first non-ASCII byte in `bytes[from, to)`, which holds one. */
function firstNonAscii(bytes: Uint8Array, from: number, to: number): number {
  while (to - from > 64) {
    const middle = (from + to) >>> 1
    if (isAscii(bytes.subarray(from, middle))) from = middle
    else to = middle
  }
  while (bytes[from] < 0x80) from++
  return from
}

/** The first non-ASCII byte at or after `from`, or -1. */
function nextNonAscii(bytes: Uint8Array, from: number): number {
  for (let start = from; start < bytes.length; start += BLOCK) {
    const end = Math.min(start + BLOCK, bytes.length)
    if (!isAscii(bytes.subarray(start, end))) return firstNonAscii(bytes, start, end)
  }
  return -1
}

/** A streaming UTF-8 decoder that hands a line parser text in pieces that end at line feeds. */
export interface LineTextDecoder {
  /** Decodes one chunk (multi-byte characters may be split across chunks) into `feed`, in order. */
  decode(chunk: Uint8Array, feed: (text: string) => void): void
  /** Ends the input: decodes what an unfinished character left (as U+FFFD). */
  end(feed: (text: string) => void): void
}

/** Creates a {@link LineTextDecoder}; the text it feeds is exactly what one `TextDecoder` would give. */
export function createLineTextDecoder(): LineTextDecoder {
  const decoder = new TextDecoder('utf-8')
  const part = (chunk: Uint8Array, from: number, to: number) => decoder.decode(chunk.subarray(from, to), { stream: true })
  return {
    decode(chunk, feed) {
      if (isAscii(chunk)) return feed(decoder.decode(chunk, { stream: true }))
      let at = 0
      while (at < chunk.length) {
        const wide = nextNonAscii(chunk, at)
        if (wide === -1) break
        // The lines before it stay one-byte; the line it is in (to its line feed) is decoded apart.
        const lineStart = wide === 0 ? 0 : chunk.lastIndexOf(LF, wide - 1) + 1
        if (lineStart > at) feed(part(chunk, at, lineStart))
        const lineFeed = chunk.indexOf(LF, wide)
        const lineEnd = lineFeed === -1 ? chunk.length : lineFeed + 1
        feed(part(chunk, Math.max(at, lineStart), lineEnd))
        at = lineEnd
      }
      if (at < chunk.length) feed(part(chunk, at, chunk.length))
    },
    end(feed) {
      const rest = decoder.decode()
      if (rest) feed(rest)
    },
  }
}
