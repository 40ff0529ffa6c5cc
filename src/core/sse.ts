/**
 * The one SSE (and NDJSON) framing module: bytes ⇄ `{ event, data }`. Format code never sees raw
 * SSE text. Lines are scanned in place with cached `indexOf` positions; only the unfinished tail
 * of a chunk is carried over, so no growing buffer is ever re-split.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 * @module
 */
import { createLineTextDecoder } from './utf8-lines'

/** One server-sent event: optional `event:` name and the `data:` lines joined by `\n`. */
export interface SseEvent {
  event?: string
  data: string
}

/** An incremental SSE parser: feed text, receive events. */
export interface SseParser {
  /** Parses more decoded text (any split, including mid-line or between `\r` and `\n`). */
  feed(text: string): void
  /** Ends the input: dispatches a last event that lacked its blank line. */
  end(): void
}

/** Receives one output of a transformer. */
export type Emit<T> = (output: T) => void

/** A synchronous stream stage: plain function calls, no promises; wrapped as a TransformStream or fused with others. */
export interface StreamTransformer<I, O> {
  /** Handles one input, emitting any number of outputs. */
  transform(input: I, emit: Emit<O>): void
  /** Ends the input, emitting whatever is still owed. */
  flush(emit: Emit<O>): void
}

/** Wraps a synchronous transformer as a TransformStream. */
export function toTransformStream<I, O>(transformer: StreamTransformer<I, O>): TransformStream<I, O> {
  let emit: Emit<O>
  return new TransformStream<I, O>({
    start(controller) {
      emit = (output) => controller.enqueue(output)
    },
    transform(input) {
      transformer.transform(input, emit)
    },
    flush() {
      transformer.flush(emit)
    },
  })
}

const LF = 10

/** Splits text into lines on `\n`, `\r\n` or `\r`, across feeds; `onLine` gets each line without its terminator. */
export function createLineSplitter(onLine: (line: string) => void): SseParser {
  return createRangeSplitter((text, start, end) => onLine(text.slice(start, end)))
}

/** The line splitter, handing each line as a range of the text it is in (no substring is made for it). */
function createRangeSplitter(onLine: (text: string, start: number, end: number) => void): SseParser {
  let tail = ''
  let skipLineFeed = false
  return {
    feed(text) {
      let start = 0
      const length = text.length
      if (skipLineFeed) {
        skipLineFeed = false
        if (length > 0 && text.charCodeAt(0) === LF) start = 1
      }
      let nextLf = text.indexOf('\n', start)
      let nextCr = text.indexOf('\r', start)
      while (nextLf !== -1 || nextCr !== -1) {
        let end: number
        let next: number
        if (nextCr === -1 || (nextLf !== -1 && nextLf < nextCr)) {
          end = nextLf
          next = end + 1
        } else {
          end = nextCr
          if (end + 1 < length) next = text.charCodeAt(end + 1) === LF ? end + 2 : end + 1
          else {
            next = end + 1
            skipLineFeed = true
          }
        }
        if (tail) {
          const line = tail + text.slice(start, end)
          tail = ''
          onLine(line, 0, line.length)
        } else onLine(text, start, end)
        start = next
        if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf('\n', start)
        if (nextCr !== -1 && nextCr < start) nextCr = text.indexOf('\r', start)
      }
      if (start < length) tail = tail ? tail + text.slice(start) : text.slice(start)
    },
    end() {
      if (tail) {
        const last = tail
        tail = ''
        onLine(last, 0, last.length)
      }
    },
  }
}

/**
 * Takes an event whose data is one line, given in place as `text` from `start` to `end`, when it can use it so
 * (without the event as an object or its data as a string of its own); false hands it on as an `SseEvent`.
 */
export type SseRangeHandler = (text: string, start: number, end: number, event: string | undefined) => boolean

/**
 * Creates an SSE field parser over a line splitter; `:` comments, `id:` and `retry:` are ignored. An event whose
 * data is one line within one fed text is offered to `onRange` first.
 */
export function createSseParser(onEvent: (event: SseEvent) => void, onRange?: SseRangeHandler): SseParser {
  let eventName: string | undefined
  let data: string | undefined
  // The event's one data line, still in place in the text being fed (only with `onRange`).
  let rangeText: string | undefined
  let rangeStart = 0
  let rangeEnd = 0
  let first = true
  const materialize = () => {
    if (rangeText === undefined) return
    data = rangeText.slice(rangeStart, rangeEnd)
    rangeText = undefined
  }
  const dispatch = () => {
    if (rangeText !== undefined) {
      if (onRange!(rangeText, rangeStart, rangeEnd, eventName)) {
        rangeText = undefined
        eventName = undefined
        return
      }
      materialize()
    }
    if (data !== undefined) onEvent(eventName === undefined ? { data } : { event: eventName, data })
    data = undefined
    eventName = undefined
  }
  const lines = createRangeSplitter((text, start, end) => {
    if (first) {
      first = false
      if (text.charCodeAt(start) === 0xfeff) start++
    }
    if (start === end) return dispatch()
    // Nearly every line is `data: …`: its value is cut straight from the text, without the line around it.
    if (end - start >= 5 && text.startsWith('data:', start)) {
      const from = start + 5 < end && text.charCodeAt(start + 5) === 32 ? start + 6 : start + 5
      if (onRange && data === undefined && rangeText === undefined) {
        rangeText = text
        rangeStart = from
        rangeEnd = end
        return
      }
      materialize()
      const value = text.slice(from, end)
      data = data === undefined ? value : data + '\n' + value
      return
    }
    const line = text.slice(start, end)
    const colon = line.indexOf(':')
    if (colon === 0) return
    let field: string
    let value: string
    if (colon === -1) {
      field = line
      value = ''
    } else {
      field = line.slice(0, colon)
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1)
    }
    if (field === 'data') {
      materialize()
      data = data === undefined ? value : data + '\n' + value
    } else if (field === 'event') eventName = value
  })
  return {
    feed(text) {
      lines.feed(text)
      // An event still open keeps its data as a string: the text it lies in is not kept.
      materialize()
    },
    end() {
      lines.end()
      // WHATWG drops an event without its blank line; upstreams that omit the last one would then
      // lose their final event, so it is dispatched instead.
      dispatch()
    },
  }
}

/** Bytes → SSE events (UTF-8, multi-byte characters may be split across chunks), as a transformer; see `createSseParser` for `onRange`. */
export function createSseDecoder(onRange?: SseRangeHandler): StreamTransformer<Uint8Array, SseEvent> {
  const decoder = createLineTextDecoder()
  let target: Emit<SseEvent>
  const parser = createSseParser((event) => target(event), onRange)
  const feed = (text: string) => parser.feed(text)
  return {
    transform(chunk, emit) {
      target = emit
      decoder.decode(chunk, feed)
    },
    flush(emit) {
      target = emit
      decoder.end(feed)
      parser.end()
    },
  }
}

/** Bytes → SSE events (UTF-8, multi-byte characters may be split across chunks). */
export function createSseDecoderStream(): TransformStream<Uint8Array, SseEvent> {
  return toTransformStream(createSseDecoder())
}

/** Renders one event as SSE text (`event:` line when named, one `data:` line per data line). */
export function formatSseEvent(event: SseEvent): string {
  const { data } = event
  const head = event.event === undefined ? '' : `event: ${event.event}\n`
  if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) return `${head}data: ${data}\n\n`
  return `${head}data: ${data.split(/\r\n|\r|\n/).join('\ndata: ')}\n\n`
}

/**
 * Renders one event whose data is JSON text as SSE text, without scanning it: JSON text holds no raw line
 * break, and every encoder writes its data that way (the format matrix tests hold them to it).
 */
export function formatJsonSseEvent(event: SseEvent): string {
  return event.event === undefined ? `data: ${event.data}\n\n` : `event: ${event.event}\ndata: ${event.data}\n\n`
}

/** Renders one event as an NDJSON line (the event name is not written). */
export function formatNdjsonEvent(event: SseEvent): string {
  return `${event.data}\n`
}

/** SSE events → bytes. */
export function createSseEncoderStream(): TransformStream<SseEvent, Uint8Array> {
  const encoder = new TextEncoder()
  return new TransformStream({
    transform(event, controller) {
      controller.enqueue(encoder.encode(formatSseEvent(event)))
    },
  })
}

/** Bytes of newline-delimited JSON (Ollama) → one `{ data }` per non-blank line, as a transformer. */
export function createNdjsonDecoder(): StreamTransformer<Uint8Array, SseEvent> {
  const decoder = createLineTextDecoder()
  let target: Emit<SseEvent>
  const lines = createLineSplitter((line) => {
    if (line.trim().length > 0) target({ data: line })
  })
  const feed = (text: string) => lines.feed(text)
  return {
    transform(chunk, emit) {
      target = emit
      decoder.decode(chunk, feed)
    },
    flush(emit) {
      target = emit
      decoder.end(feed)
      lines.end()
    },
  }
}

/** Bytes of newline-delimited JSON (Ollama) → one `{ data }` per non-blank line. */
export function createNdjsonDecoderStream(): TransformStream<Uint8Array, SseEvent> {
  return toTransformStream(createNdjsonDecoder())
}

/** Bytes → events for a wire framing: SSE events (one-line ones offered to `onRange` first), or one `{ data }` per non-blank NDJSON line. */
export function createFramingDecoder(framing: 'sse' | 'ndjson', onRange?: SseRangeHandler): StreamTransformer<Uint8Array, SseEvent> {
  return framing === 'ndjson' ? createNdjsonDecoder() : createSseDecoder(onRange)
}

/** `{ data }` events → newline-delimited JSON bytes (the event name is not written). */
export function createNdjsonEncoderStream(): TransformStream<SseEvent, Uint8Array> {
  const encoder = new TextEncoder()
  return new TransformStream({
    transform(event, controller) {
      controller.enqueue(encoder.encode(formatNdjsonEvent(event)))
    },
  })
}
