import { ProxyError } from '../core/errors'
import type { EncodeContext } from '../core/ids'
import { truncatedStream, type StreamError } from '../core/ir'
import { createFramingDecoder, type SseEvent } from '../core/sse'
import { isJsonSpace, jsonStringEnd } from '../core/json'
import { getFormat } from '../formats'
import { encodeStreamError } from '../formats/errors'
import { responseModelField } from '../formats/model-field'
import type { FormatId, WireFormat } from '../formats/types'
import { usageNeedles } from '../formats/usage-in-text'
import { streamHeld, type ChunkStage, type HeldBody, type Recovery, type StreamEnd } from './hold'
import { createCarriedTranslation, streamFailure, type CarriedTranslation, type CarryOn } from './translated-stream'
import { observeUsage, type ObservedUsage } from '../formats/observe-usage'

/**
 * Replaces every structural `"<field>": "…"` string value (default `model`) in a JSON text with the given id.
 * A quote inside a JSON string is always escaped, so an unescaped `"model"` followed by `:` is a key.
 */
export function rewriteModel(text: string, model: string, field = 'model'): string {
  const key = `"${field}"`
  let at = text.indexOf(key)
  if (at === -1) return text
  const replacement = JSON.stringify(model)
  let out = ''
  let copied = 0
  while (at !== -1) {
    let cursor = at + key.length
    if (at === 0 || text.charCodeAt(at - 1) !== 92) {
      while (isJsonSpace(text.charCodeAt(cursor))) cursor++
      if (text.charCodeAt(cursor) === 58) {
        cursor++
        while (isJsonSpace(text.charCodeAt(cursor))) cursor++
        if (text.charCodeAt(cursor) === 34) {
          const close = jsonStringEnd(text, cursor + 1)
          if (close !== -1) {
            out += text.slice(copied, cursor) + replacement
            copied = close + 1
            cursor = close + 1
          }
        }
      }
    }
    at = text.indexOf(key, cursor)
  }
  return copied === 0 ? text : out + text.slice(copied)
}

/** Reads the usage of one event line (`data: {…}`, or an NDJSON line); a malformed line is relayed as it is, uncounted. */
function observeLine(format: FormatId, line: string, usage: ObservedUsage): void {
  const json = line.startsWith('data:') ? line.slice(5) : getFormat(format).stream.framing === 'ndjson' ? line : undefined
  if (json === undefined) return
  try {
    observeUsage(format, JSON.parse(json), usage)
  } catch {
    // accounting skips it
  }
}

/** Reads usage from the lines of `bytes` that carry a usage object (only those lines are decoded). */
function observeUsageBytes(format: FormatId, bytes: Buffer, usage: ObservedUsage): void {
  for (const needle of usageNeedles(format)) {
    for (let at = bytes.indexOf(needle); at !== -1; ) {
      const lineStart = bytes.lastIndexOf(10, at) + 1
      let lineEnd = bytes.indexOf(10, at)
      if (lineEnd === -1) lineEnd = bytes.length
      observeLine(format, bytes.toString('utf8', lineStart, lineEnd), usage)
      at = bytes.indexOf(needle, lineEnd)
    }
  }
}

// Where each replaced value starts and ends, reused across calls (the relay is single-threaded).
const valueStarts: number[] = []
const valueEnds: number[] = []

/** The index of the quote that closes a JSON string whose contents start at `from`; -1 if it is cut off (a string never spans lines). */
function closingQuote(bytes: Buffer, from: number): number {
  let close = bytes.indexOf(34, from)
  while (close > 0 && bytes[close - 1] === 92) {
    let slashes = 1
    while (bytes[close - 1 - slashes] === 92) slashes++
    if (slashes % 2 === 0) break
    close = bytes.indexOf(34, close + 1)
  }
  if (close === -1) return -1
  const lineEnd = bytes.indexOf(10, from)
  return lineEnd !== -1 && lineEnd < close ? -1 : close
}

/**
 * Replaces every structural `"<field>": "…"` string value in JSON bytes; returns the same buffer when
 * nothing matched. Finds the values first, then rewrites in one pass: in place when no value grows,
 * else into one buffer of the exact size.
 */
function rewriteFieldBytes(bytes: Buffer, key: Buffer, replacement: Buffer): Buffer {
  let at = bytes.indexOf(key)
  let count = 0
  while (at !== -1) {
    let cursor = at + key.length
    if (at === 0 || bytes[at - 1] !== 92) {
      while (isJsonSpace(bytes[cursor])) cursor++
      if (bytes[cursor] === 58) {
        cursor++
        while (isJsonSpace(bytes[cursor])) cursor++
        const close = bytes[cursor] === 34 ? closingQuote(bytes, cursor + 1) : -1
        if (close !== -1) {
          valueStarts[count] = cursor
          valueEnds[count] = close + 1
          count++
          cursor = close + 1
        }
      }
    }
    at = bytes.indexOf(key, cursor)
  }
  if (count === 0) return bytes
  let size = bytes.length
  let fitsInPlace = true
  for (let index = 0; index < count; index++) {
    const length = valueEnds[index] - valueStarts[index]
    size += replacement.length - length
    if (replacement.length > length) fitsInPlace = false
  }
  // No value grows: compact the chunk itself (the relay owns it), allocating nothing.
  const out = fitsInPlace ? bytes : Buffer.allocUnsafe(size)
  let copied = 0
  let written = 0
  for (let index = 0; index < count; index++) {
    written += fitsInPlace ? shiftLeft(bytes, written, copied, valueStarts[index]) : bytes.copy(out, written, copied, valueStarts[index])
    written += replacement.copy(out, written)
    copied = valueEnds[index]
  }
  written += fitsInPlace ? shiftLeft(bytes, written, copied, bytes.length) : bytes.copy(out, written, copied)
  return fitsInPlace ? bytes.subarray(0, written) : out
}

/** Moves `bytes[start, end)` to `target` (≤ start) within the same buffer; returns how many bytes moved. */
function shiftLeft(bytes: Buffer, target: number, start: number, end: number): number {
  if (target !== start) bytes.copyWithin(target, start, end)
  return end - start
}

/**
 * Rewrites `model` in complete lines as bytes arrive, working on the bytes themselves (no decoding); a
 * partial line waits for its end so a field is never split. Chunks that need no change pass as they are.
 * The rewriter owns the chunks it is given: it may rewrite them in place.
 */
export function createLineRewriter(format: FormatId, model: string, usage: ObservedUsage) {
  const key = Buffer.from(`"${responseModelField[format]}"`)
  const replacement = Buffer.from(JSON.stringify(model))
  // The start of a line still waiting for its end, in the pieces it arrived in (joined once, when it ends).
  let pending: Buffer[] = []
  const rewrite = (bytes: Buffer) => {
    observeUsageBytes(format, bytes, usage)
    return rewriteFieldBytes(bytes, key, replacement)
  }
  return {
    /** Hands on the complete lines of `chunk` (rewritten) through `emit`: the line it finishes, then its own. */
    push(chunk: Uint8Array, emit: (bytes: Buffer) => void): void {
      if (chunk.byteLength === 0) return
      let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      if (pending.length > 0) {
        const newline = bytes.indexOf(10)
        if (newline === -1) return void pending.push(bytes)
        // Only the line that spans the chunks is copied; the rest of the chunk is rewritten where it is.
        pending.push(bytes.subarray(0, newline + 1))
        emit(rewrite(Buffer.concat(pending)))
        pending = []
        bytes = bytes.subarray(newline + 1)
      }
      const lastNewline = bytes.lastIndexOf(10)
      if (lastNewline < bytes.length - 1) {
        pending.push(bytes.subarray(lastNewline + 1))
        bytes = bytes.subarray(0, lastNewline + 1)
      }
      if (bytes.length > 0) emit(rewrite(bytes))
    },
    end(): Buffer | undefined {
      const rest = pending.length > 0 ? Buffer.concat(pending) : undefined
      pending = []
      return rest && rest.length > 0 ? rewrite(rest) : undefined
    },
  }
}

// Bytes kept of what a relayed stream sent, so it can be carried on; past this, a break ends it in-band instead.
const MAX_KEPT_BYTES = 2 * 1024 * 1024
// What all relayed streams together keep for that: a stream that would pass it stops keeping (memory stays bounded
// however many long streams run at once).
const MAX_KEPT_TOTAL = 64 * 1024 * 1024
let keptTotal = 0

/** The bytes relayed streams in progress keep so they can be carried on (all of them together). */
export function keptForCarryOn(): number {
  return keptTotal
}
const utf8 = new TextEncoder()

/** A format's relay marks as bytes, made once per format; an in-band error's start counts as an end too. */
interface RelayMarks {
  end: Buffer[]
  error?: Buffer[]
}
const relayMarks = new Map<FormatId, RelayMarks | undefined>()
function relayMarksOf(format: WireFormat): RelayMarks | undefined {
  if (!relayMarks.has(format.id)) {
    const relay = format.stream.relay
    const error = relay?.errorMarks?.map((mark) => Buffer.from(mark))
    relayMarks.set(format.id, relay && { end: [...relay.endMarks.map((mark) => Buffer.from(mark)), ...(error ?? [])], error })
  }
  return relayMarks.get(format.id)
}

/** Where the first in-band error event starts in relayed bytes (at a line start), or -1. */
function inBandErrorAt(marks: Buffer[], bytes: Buffer): number {
  let first = -1
  for (const mark of marks) {
    const at = bytes.indexOf(mark)
    if (at === -1 || (at > 0 && bytes[at - 1] !== 10)) continue
    if (first === -1 || at < first) first = at
  }
  return first
}

// How much of the end of a relayed stream its end mark is looked for in (a usage chunk and [DONE] may follow it).
const TAIL_BYTES = 16 * 1024

/** The last pieces of a relayed stream (whole lines, at least `TAIL_BYTES` of them when there are), for its end check. */
function createTail() {
  let pieces: Buffer[] = []
  let size = 0
  return {
    push(piece: Buffer): void {
      pieces.push(piece)
      size += piece.byteLength
      // Trimmed in steps, not per piece: the oldest half goes once it holds twice what is needed.
      if (size > 2 * TAIL_BYTES && pieces.length > 1) {
        let drop = 0
        while (drop < pieces.length - 1 && size - pieces[drop].byteLength >= TAIL_BYTES) size -= pieces[drop++].byteLength
        pieces = pieces.slice(drop)
      }
    },
    /** Whether the pieces hold one of the marks; they are searched, never decoded. */
    holds(marks: Buffer[]): boolean {
      // Pieces are whole lines, so a mark never spans two of them.
      for (let index = pieces.length - 1; index >= 0; index--) {
        const piece = pieces[index]
        if (marks.some((mark) => piece.lastIndexOf(mark) !== -1)) return true
      }
      return false
    },
  }
}

/**
 * Relays an upstream event stream to the client as it arrives, `model` rewritten and usage read on the way.
 * A failure after the first byte is carried on through `carryOn` when it can be (what the client was sent
 * is kept and decoded only then), else it becomes the format's in-band error event, never a silent truncation.
 */
export function relayStream(
  held: HeldBody,
  options: {
    format: FormatId
    model: string
    usage: ObservedUsage
    describeFailure: (error: unknown) => ProxyError
    onEnd: (end: StreamEnd) => void
    carryOn?: CarryOn
    /** The encode context a rebuilt client side uses (only built when the answer is carried on). */
    context: () => EncodeContext
  },
): ReadableStream<Uint8Array> {
  const rewriter = createLineRewriter(options.format, options.model, options.usage)
  const format = getFormat(options.format)
  // A half-received line is dropped rather than sent as garbage; a blank line ends any open SSE event.
  const separator = format.stream.framing === 'ndjson' ? '' : '\n'
  // A format whose relayed bytes show their end is checked for a cut; one that also shows its errors can be carried on.
  const marks = relayMarksOf(format)
  const errorMarks = marks?.error
  const carryOn = errorMarks && options.carryOn
  const tail = marks && createTail()
  let kept: Buffer[] | undefined = carryOn ? [] : undefined
  let keptBytes = 0
  const release = () => {
    keptTotal -= keptBytes
    keptBytes = 0
    kept = undefined
  }
  let failure: ProxyError | undefined
  const send = (emit: (bytes: Uint8Array) => void) => (bytes: Buffer) => {
    if (failure) return
    if (kept && errorMarks) {
      const at = inBandErrorAt(errorMarks, bytes)
      if (at !== -1) {
        // Held back: the answer may yet be carried on; if not, the failure is reported in-band all the same.
        failure = readStreamError(format, bytes.subarray(at))
        bytes = bytes.subarray(0, at)
      }
      keptBytes += bytes.byteLength
      keptTotal += bytes.byteLength
      if (keptBytes > MAX_KEPT_BYTES || keptTotal > MAX_KEPT_TOTAL) release()
      else kept.push(bytes)
    }
    if (bytes.byteLength > 0) {
      tail?.push(bytes)
      emit(bytes)
    }
  }
  const stage: ChunkStage = {
    transform: (chunk, emit) => rewriter.push(chunk, send(emit)),
    flush(emit) {
      const rest = rewriter.end()
      if (rest) send(emit)(rest)
      // A body that ended before the answer did is a break like any other, not an answer (carried on or reported).
      if (marks && tail && !failure && !tail.holds(marks.end)) failure = streamFailure(truncatedStream())
    },
    fail(broken, emit) {
      if (!rebuilt) return emit(separator + encodeStreamError(options.format, broken))
      // Rebuilt, the stream ends as its encoder ends one (Responses: numbered, with response.failed).
      if (separator) emit(separator)
      rebuilt.stage.fail(broken, emit)
    },
    failure: () => failure,
  }
  // The client's side, rebuilt for carrying on, when nothing then carried it on.
  let rebuilt: CarriedTranslation | undefined
  const recover = async (broken: ProxyError): Promise<Recovery | undefined> => {
    if (!carryOn || !kept) return undefined
    // The client's side of the answer is rebuilt from the bytes it got, by a translator then fed the continuation.
    const carried = createCarriedTranslation({ from: format, to: format, context: options.context(), usage: options.usage, carryOn })
    const discard = () => {}
    for (const bytes of kept) carried.translator.transform(bytes, discard)
    if (separator) carried.translator.transform(utf8.encode(separator), discard)
    const next = format.stream.relay?.nextNumber?.(kept)
    if (next !== undefined) carried.translator.numberFrom(next)
    release()
    const recovery = await carried.recover(broken)
    if (!recovery) rebuilt = carried
    // Later breaks are carried on from the rebuilt side, which has seen the continuation too.
    return recovery && { ...recovery, preamble: separator, recover: carried.recover }
  }
  const onEnd = (end: StreamEnd) => {
    release()
    options.onEnd(end)
  }
  return streamHeld(held, stage, { clientFormat: options.format, describeFailure: options.describeFailure, onEnd, recover: carryOn && recover })
}

/** The error an in-band error event reports (decoded by its format), as a failure. */
function readStreamError(format: WireFormat, bytes: Uint8Array): ProxyError {
  let error: StreamError | undefined
  const decoder = format.stream.decoder()
  const framing = createFramingDecoder(format.stream.framing)
  const onEvent = (event: SseEvent) => decoder.transform(event, (decoded) => {
    if (decoded.type === 'error') error ??= decoded.error
  })
  framing.transform(bytes, onEvent)
  framing.flush(onEvent)
  return streamFailure(error ?? { status: 502, kind: 'upstream', message: 'upstream reported an error mid-stream' })
}
