/**
 * Composes wire-format codecs through the IR (hub and spoke). Same format in and out means the
 * bytes pass through untouched; only different formats are decoded and re-encoded.
 * @module
 */
import type { FormatId, ProviderTarget, WireFormat } from '../formats/types'
import { accumulateStream } from './accumulate'
import type { EncodeContext } from './ids'
import type { ChatRequest, ChatResponse, StreamEvent } from './ir'
import { isObject } from './json'
import {
  createFramingDecoder,
  createNdjsonEncoderStream,
  createSseEncoderStream,
  formatNdjsonEvent,
  formatJsonSseEvent,
  toTransformStream,
  type Emit,
  type SseEvent,
  type SseRangeHandler,
  type StreamTransformer,
} from './sse'

/** Upstream bytes → IR stream events, framed the way `format` frames them. */
export function decodeStream(body: ReadableStream<Uint8Array>, format: WireFormat): ReadableStream<StreamEvent> {
  return body.pipeThrough(toTransformStream(createFramingDecoder(format.stream.framing))).pipeThrough(toTransformStream(format.stream.decoder()))
}

/** IR stream events → client bytes in `format`. */
export function encodeStream(events: ReadableStream<StreamEvent>, format: WireFormat, context: EncodeContext): ReadableStream<Uint8Array> {
  const framed = events.pipeThrough(toTransformStream(format.stream.encoder(context)))
  return format.stream.framing === 'ndjson' ? framed.pipeThrough(createNdjsonEncoderStream()) : framed.pipeThrough(createSseEncoderStream())
}

/** A stream translator; `fail` ends the output with an in-band error instead of decoding what is left. */
export interface StreamTranslator<Out> extends StreamTransformer<Uint8Array, Out> {
  fail(error: Extract<StreamEvent, { type: 'error' }>, emit: Emit<Out>): void
  /**
   * Takes further input from another upstream (carrying on a broken answer): the old source is dropped
   * unflushed, and the new one's events pass `filter` before the hook and the encoder, which keep their state.
   */
  switchSource(from: WireFormat, filter: StreamTransformer<StreamEvent, StreamEvent>): void
  /** The client already holds events numbered below `next` (a relayed stream rebuilt to be carried on): numbering goes on from there. */
  numberFrom(next: number): void
}

/** A delta event the translator may join with the next one of its block. */
type JoinableDelta = Extract<StreamEvent, { type: 'text-delta' | 'reasoning-delta' | 'tool-call-delta' }>

/** Appends `next`'s piece (of the same type and block) to `into`. */
function joinDelta(into: JoinableDelta, next: JoinableDelta): void {
  if (into.type === 'tool-call-delta') into.argumentsDelta += (next as typeof into).argumentsDelta
  else into.text += (next as typeof into).text
}

/**
 * Bytes → text as one synchronous transformer (framing, decoder, joined deltas, optional IR `hook`, encoder, framing); one
 * output string per input chunk, in which the deltas of one block are joined. A direct response stream writes
 * the string as UTF-8 itself.
 */
export function createTextStreamTranslator(
  from: WireFormat,
  to: WireFormat,
  context: EncodeContext,
  hook?: StreamTransformer<StreamEvent, StreamEvent>,
  /** When true at the end of the input, the output is left open (the answer is to be carried on elsewhere). */
  halted?: () => boolean,
): StreamTranslator<string> {
  let decoder = from.stream.decoder()
  let filter: StreamTransformer<StreamEvent, StreamEvent> | undefined
  const encoder = to.stream.encoder(context)
  // Encoders write JSON text: one line per event, framed without looking for line breaks.
  const format = to.stream.framing === 'ndjson' ? formatNdjsonEvent : formatJsonSseEvent
  let out = ''
  const write = (event: SseEvent) => {
    out += format(event)
  }
  const toEncoder = (event: StreamEvent) => encoder.transform(event, write)
  // `hook` sees the events as the client gets them (deltas joined) and must pass them on.
  const sink = hook ? (event: StreamEvent) => hook.transform(event, toEncoder) : toEncoder
  // Deltas arriving in one upstream chunk go out as one per block: the same text, as soon, for far less work.
  let pending: JoinableDelta | undefined
  const release = () => {
    if (pending === undefined) return
    const event = pending
    pending = undefined
    sink(event)
  }
  const encode = (event: StreamEvent) => {
    if (event.type !== 'text-delta' && event.type !== 'reasoning-delta' && event.type !== 'tool-call-delta') {
      release()
      return sink(event)
    }
    if (pending?.type === event.type && pending.index === event.index) joinDelta(pending, event)
    else {
      release()
      pending = { ...event }
    }
  }
  let decoded = encode
  const decode = (event: SseEvent) => decoder.transform(event, decoded)
  // One-line events go to the decoder in place when it reads them so (most chunks of a long answer).
  const inPlace: SseRangeHandler = (text, start, end, event) => decoder.transformRange?.(text, start, end, event, decoded) ?? false
  const framingFor = (source: WireFormat) => createFramingDecoder(source.stream.framing, decoder.transformRange ? inPlace : undefined)
  let framing = framingFor(from)
  const drain = (emit: Emit<string>) => {
    release()
    if (out.length === 0) return
    const text = out
    out = ''
    emit(text)
  }
  return {
    transform(chunk, emit) {
      framing.transform(chunk, decode)
      drain(emit)
    },
    flush(emit) {
      framing.flush(decode)
      decoder.flush(decoded)
      filter?.flush(encode)
      // The hook's flush runs after the decoder's (and the last joined delta) and before the encoder's.
      release()
      hook?.flush(toEncoder)
      if (!halted?.()) encoder.flush(write)
      drain(emit)
    },
    fail(error, emit) {
      encode(error)
      hook?.flush(toEncoder)
      encoder.flush(write)
      drain(emit)
    },
    switchSource(source, next) {
      decoder = source.stream.decoder()
      framing = framingFor(source)
      filter = next
      decoded = (event) => next.transform(event, encode)
    },
    numberFrom(next) {
      encoder.numberFrom?.(next)
    },
  }
}

/** Bytes → bytes: the text translator with its output encoded as UTF-8. */
export function createStreamTranslator(
  from: WireFormat,
  to: WireFormat,
  context: EncodeContext,
  hook?: StreamTransformer<StreamEvent, StreamEvent>,
): StreamTranslator<Uint8Array> {
  const text = createTextStreamTranslator(from, to, context, hook)
  const utf8 = new TextEncoder()
  const encoded = (emit: Emit<Uint8Array>): Emit<string> => (output) => emit(utf8.encode(output))
  return {
    transform: (chunk, emit) => text.transform(chunk, encoded(emit)),
    flush: (emit) => text.flush(encoded(emit)),
    fail: (error, emit) => text.fail(error, encoded(emit)),
    switchSource: (from, filter) => text.switchSource(from, filter),
    numberFrom: (next) => text.numberFrom(next),
  }
}

/** Translates a streamed body through the IR in one TransformStream, even for the same format; `hook` sees every IR event. */
export function translateStreamWith(
  body: ReadableStream<Uint8Array>,
  from: WireFormat,
  to: WireFormat,
  context: EncodeContext,
  hook?: StreamTransformer<StreamEvent, StreamEvent>,
): ReadableStream<Uint8Array> {
  return body.pipeThrough(toTransformStream(createStreamTranslator(from, to, context, hook)))
}

/** Re-encodes a streamed body from one format to another; the same format passes through untouched. */
export function translateStream(
  body: ReadableStream<Uint8Array>,
  from: WireFormat,
  to: WireFormat,
  context: EncodeContext,
): ReadableStream<Uint8Array> {
  if (from.id === to.id) return body
  return translateStreamWith(body, from, to, context)
}

/** Re-encodes a non-stream response body; the same format is returned as is. */
export function translateResponse(body: unknown, from: WireFormat, to: WireFormat, context: EncodeContext): unknown {
  if (from.id === to.id) return body
  return to.response.encode(from.response.decode(body), context)
}

/** Reads a streamed upstream body into a non-stream response body in the client's format. */
export async function translateStreamToResponse(
  body: ReadableStream<Uint8Array>,
  from: WireFormat,
  to: WireFormat,
  context: EncodeContext,
): Promise<unknown> {
  const response: ChatResponse = await accumulateStream(decodeStream(body, from))
  return to.response.encode(response, context)
}

/**
 * Re-encodes a client request body for an upstream. The same format keeps the body as sent, with
 * only `model` replaced (when the format carries it in the body).
 */
export function translateRequest(body: unknown, from: WireFormat, to: WireFormat, target: ProviderTarget): unknown {
  if (from.id === to.id) return isObject(body) && 'model' in body ? { ...body, model: target.model } : body
  const request: ChatRequest = from.request.decode(body)
  return to.request.encode(request, target)
}

/** True when a request in `from` can go to an upstream speaking `to` without translation. */
export function isPassthrough(from: FormatId, to: FormatId): boolean {
  return from === to
}
