import type { ProxyError } from '../core/errors'
import type { EncodeContext } from '../core/ids'
import type { ChatRequest, ChatResponse, StreamEvent } from '../core/ir'
import type { Emit, SseEvent, StreamTransformer } from '../core/sse'
import type { PrefillMode } from '../core/stream-resume'

/** The wire formats modelmux speaks, to clients and to upstreams. */
export type FormatId = 'openai-chat' | 'anthropic-messages' | 'openai-responses' | 'gemini' | 'ollama'

/** An error rendered in one wire format: HTTP status plus JSON body. */
export interface EncodedError {
  status: number
  body: unknown
}

/** Renders a ProxyError as a wire format's HTTP error body. */
export type ErrorEncoder = (error: ProxyError) => EncodedError

/** Upstream facts a request encoder needs (set by the provider adapter). */
export interface ProviderTarget {
  /** Model name as the upstream knows it. */
  model: string
  /** OpenAI-chat only: which max-tokens field the upstream accepts (default `max_tokens`). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens'
  /** OpenAI-chat only: ask for usage in streams with `stream_options.include_usage` (default true). */
  includeStreamUsage?: boolean
  /** OpenAI-chat only: send assistant reasoning back under this field (DeepSeek, Kimi need `reasoning_content`); default: not sent. */
  reasoningField?: 'reasoning_content' | 'reasoning'
  /** Anthropic only: `max_tokens` when the client gave none (the field is required there). */
  defaultMaxTokens?: number
  /** OpenAI-chat only: the member that marks a final assistant message as text to go on from (Mistral `prefix`, Kimi `partial`). */
  prefillMember?: 'prefix' | 'partial'
}

/** A stream decoder; `transformRange`, when given, may take a one-line event in place (see `SseRangeHandler`), else returns false. */
export interface StreamEventDecoder extends StreamTransformer<SseEvent, StreamEvent> {
  transformRange?(text: string, start: number, end: number, event: string | undefined, emit: Emit<StreamEvent>): boolean
}

/**
 * A stream encoder; `numberFrom`, when given, is told that the client already holds events of this stream numbered
 * below `next` (a relayed upstream's, when the stream is rebuilt to be carried on): events it numbers go on from there.
 */
export interface StreamEventEncoder extends StreamTransformer<StreamEvent, SseEvent> {
  numberFrom?(next: number): void
}

/** What one stream event shows before any output reached the client: output, an error, or preamble only. */
export type StreamProbe = 'output' | 'error' | 'preamble'

/** One wire format's codecs: wire ⇄ IR for requests, responses, streams and errors. */
export interface WireFormat {
  id: FormatId
  request: {
    /** Wire request body → IR (throws `ProxyError` 'invalid_request' on a malformed body). */
    decode(wire: unknown): ChatRequest
    /** IR → wire request body for an upstream. */
    encode(request: ChatRequest, target: ProviderTarget): unknown
    /** How an upstream of this format (and target) goes on from a final assistant message; undefined if it answers anew. */
    prefill?(target: ProviderTarget): PrefillMode | undefined
  }
  response: {
    /** Wire non-stream body → IR. */
    decode(wire: unknown): ChatResponse
    /** IR → wire non-stream body for a client. */
    encode(response: ChatResponse, context: EncodeContext): unknown
  }
  stream: {
    /** How events are framed on the wire: SSE, or one JSON object per line (Ollama). */
    framing: 'sse' | 'ndjson'
    /** SSE events (or NDJSON lines as `data`) → IR stream events, as a synchronous transformer (`toTransformStream` makes it a stream). */
    decoder(): StreamEventDecoder
    /** IR stream events → SSE events for a client, as a synchronous transformer. */
    encoder(context: EncodeContext): StreamEventEncoder
    /** Classifies a raw event cheaply (no IR) while a stream is held until its first output; may throw on bad JSON. */
    probe(event: SseEvent): StreamProbe
    /**
     * What relayed bytes show without decoding. `endMarks`: one of them is in the last events of a stream that ended
     * as it should (its answer finished, or an error was reported in-band), so a body that ends without one was cut.
     * `errorMarks`: how an in-band error event begins (at a line start), given for formats whose relayed stream can
     * be rebuilt and carried on (the ids their events repeat, a rebuilt encoder repeats too: it takes them from the
     * upstream's events). `nextNumber`: for a format whose events are numbered, the number the next one takes, read off
     * the relayed bytes the client holds.
     */
    relay?: { endMarks: string[]; errorMarks?: string[]; nextNumber?(sent: readonly Uint8Array[]): number | undefined }
  }
  error: {
    /** HTTP error body in this format. */
    encode: ErrorEncoder
    /** The in-band stream error event in this format. */
    encodeStream(error: ProxyError): SseEvent
  }
}
