/**
 * The canonical intermediate representation (IR): every wire format decodes into these shapes and
 * encodes out of them (hub and spoke). Nothing a format carries may be lost: fields the IR does not
 * model ride in `extensions`, keyed by the format that produced them, so a same-format round trip
 * is lossless and other formats can ignore them.
 *
 * Conventions:
 * - Token counts follow the "total" convention: `inputTokens` includes cache reads and writes,
 *   `outputTokens` includes reasoning tokens (OpenAI's convention; Anthropic codecs add/subtract).
 * - Anything unknown is `undefined`, never guessed (no estimated usage, no invented signatures).
 * - Ids and times are never made up inside a codec; encoders take an `EncodeContext` (see ids.ts).
 * @module
 */
import type { ErrorKind } from './errors'
import type { FormatId } from '../formats/types'

/** Unknown or format-only fields, keyed by the format that produced them. */
export type Extensions = Partial<Record<FormatId, Record<string, unknown>>>

/** A JSON Schema object (kept as given; codecs may clean it for picky upstreams). */
export type JsonSchema = Record<string, unknown>

/**
 * Prompt-cache breakpoint (Anthropic `cache_control`), kept on the part that carried it.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
 */
export interface CacheControl {
  type: string
  ttl?: string
}

// ── content parts ────────────────────────────────────────────────────────────

/** Plain text. */
export interface TextPart {
  type: 'text'
  text: string
  cacheControl?: CacheControl
  extensions?: Extensions
}

/** Where the bytes of an image or file come from. */
export type MediaSource =
  /** Inline base64 bytes (OpenAI data URL, Anthropic base64 source, Gemini inlineData). */
  | { type: 'base64'; mediaType: string; data: string }
  /** A URL the upstream fetches itself (http(s) or a provider file URI). */
  | { type: 'url'; url: string; mediaType?: string }
  /** A provider-side uploaded file id (OpenAI/Anthropic Files API). */
  | { type: 'file-id'; fileId: string; mediaType?: string }
  /** Plain-text document body (Anthropic `source.type: "text"`). */
  | { type: 'text'; mediaType: string; data: string }

/** An image input. */
export interface ImagePart {
  type: 'image'
  source: MediaSource
  /** OpenAI image detail level (`auto`, `low`, `high`). */
  detail?: string
  cacheControl?: CacheControl
  extensions?: Extensions
}

/** A non-image file or document (PDF, text, audio…). */
export interface FilePart {
  type: 'file'
  source: MediaSource
  filename?: string
  /** Anthropic document `title`. */
  title?: string
  /** Anthropic document `context`. */
  context?: string
  cacheControl?: CacheControl
  extensions?: Extensions
}

/** A tool call made by the assistant; `arguments` is the JSON text exactly as streamed. */
export interface ToolCallPart {
  type: 'tool-call'
  id: string
  name: string
  /** JSON-encoded arguments (`''` or `'{}'` when the tool takes none). */
  arguments: string
  /** Opaque signature the upstream needs back with this call (Gemini `thoughtSignature`). */
  signature?: string
  cacheControl?: CacheControl
  extensions?: Extensions
}

/** The result of a tool call, sent back by the client. */
export interface ToolResultPart {
  type: 'tool-result'
  /** The id of the `ToolCallPart` this answers. */
  callId: string
  /** Tool name when the wire carries it (Gemini, Ollama need it). */
  name?: string
  content: Array<TextPart | ImagePart | FilePart>
  isError?: boolean
  cacheControl?: CacheControl
  extensions?: Extensions
}

/**
 * Model reasoning ("thinking"). Opaque data (`signature`, `redactedData`, `encrypted`) is only
 * valid for the format named in `origin`; encoders for other formats must drop it, never forge it.
 */
export interface ReasoningPart {
  type: 'reasoning'
  /** Visible reasoning text or summary (may be `''` for redacted/encrypted reasoning). */
  text: string
  /** Anthropic thinking `signature` / Gemini `thoughtSignature`. */
  signature?: string
  /** Anthropic `redacted_thinking.data`. */
  redactedData?: string
  /** OpenAI Responses `encrypted_content`. */
  encrypted?: string
  /** Provider item id (OpenAI Responses reasoning item id). */
  id?: string
  /** Format whose upstream produced the opaque data above. */
  origin?: FormatId
  cacheControl?: CacheControl
  extensions?: Extensions
}

/** A block only its own format understands (Anthropic `server_tool_use`, `web_search_tool_result`…); other encoders skip it. */
export interface RawPart {
  type: 'raw'
  format: FormatId
  value: Record<string, unknown>
}

/** Any part a message may hold. */
export type ContentPart =
  | TextPart
  | ImagePart
  | FilePart
  | ToolCallPart
  | ToolResultPart
  | ReasoningPart
  | RawPart

/** Parts a model can produce. */
export type OutputPart = TextPart | ToolCallPart | ReasoningPart | RawPart

// ── request ──────────────────────────────────────────────────────────────────

/** Conversation roles; system text lives in `ChatRequest.system`, tool results in `tool` messages. */
export type Role = 'user' | 'assistant' | 'tool'

/**
 * One conversation turn. A `tool` message holds only `tool-result` parts (one or many, in order);
 * a client message mixing results and text decodes as a `tool` message followed by a `user` one.
 */
export interface Message {
  role: Role
  content: ContentPart[]
  /** Participant name (OpenAI `name`). */
  name?: string
  extensions?: Extensions
}

/** A function the model may call. */
export interface ToolDefinition {
  name: string
  description?: string
  /** JSON Schema of the arguments object. */
  parameters: JsonSchema
  /** OpenAI `strict` structured-output flag. */
  strict?: boolean
  cacheControl?: CacheControl
  extensions?: Extensions
}

/** How the model must use tools. */
export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'tool'; name: string }

/** Reasoning effort levels across providers (OpenAI `reasoning_effort`, Anthropic `effort`). */
export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max'

/** Reasoning / extended-thinking settings. */
export interface ReasoningConfig {
  /** Explicitly on (`true`) or off (`false`); undefined = provider default. */
  enabled?: boolean
  effort?: ReasoningEffort
  /** Anthropic `budget_tokens` / Gemini `thinkingBudget`. */
  budgetTokens?: number
  /** Whether thoughts should be returned (Gemini `includeThoughts`, Responses `summary`). */
  includeThoughts?: boolean
}

/** Structured output request. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | { type: 'json-schema'; schema: JsonSchema; name?: string; description?: string; strict?: boolean }

/** A chat request in canonical form. */
export interface ChatRequest {
  model: string
  /** System / developer instructions, in order. */
  system: TextPart[]
  messages: Message[]
  tools?: ToolDefinition[]
  toolChoice?: ToolChoice
  parallelToolCalls?: boolean
  maxTokens?: number
  temperature?: number
  topP?: number
  topK?: number
  stop?: string[]
  seed?: number
  presencePenalty?: number
  frequencyPenalty?: number
  stream: boolean
  reasoning?: ReasoningConfig
  responseFormat?: ResponseFormat
  /** End-user id (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string
  /** Free-form request metadata (OpenAI `metadata`). */
  metadata?: Record<string, string>
  /** Top-level fields the IR does not model, per source format. */
  extensions: Extensions
}

// ── response ─────────────────────────────────────────────────────────────────

/** Why generation ended, unified across formats (raw value kept beside it). */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other'

/** Token usage; every field is optional and only set when the upstream reported it. */
export interface Usage {
  /** All prompt tokens, including cache reads and cache writes. */
  inputTokens?: number
  /** All generated tokens, including reasoning tokens. */
  outputTokens?: number
  /** Prompt tokens served from the cache (part of `inputTokens`). */
  cacheReadTokens?: number
  /** Prompt tokens written to the cache (part of `inputTokens`). */
  cacheWriteTokens?: number
  /** Reasoning tokens (part of `outputTokens`). */
  reasoningTokens?: number
}

/** A complete (non-streamed) assistant answer. */
export interface ChatResponse {
  id: string
  model: string
  content: OutputPart[]
  finishReason: FinishReason
  /** The upstream's own stop reason (`end_turn`, `tool_calls`, `MAX_TOKENS`…). */
  rawFinishReason?: string
  /** The stop sequence that matched, when the wire reports it. */
  stopSequence?: string
  usage?: Usage
  /** Creation time in epoch seconds, when the upstream reported one. */
  created?: number
  extensions: Extensions
}

// ── stream ───────────────────────────────────────────────────────────────────

/** A failure carried inside a stream (shape of `ProxyError`, as plain data). */
export interface StreamError {
  status: number
  kind: ErrorKind
  message: string
  code?: string
}

/** The error for a stream that stopped before its message finished (no finish, no end event); a fresh object each time. */
export function truncatedStream(): StreamError {
  return { status: 502, kind: 'upstream', message: 'upstream stream ended before the message finished' }
}

/** The error for a stream event whose data is not JSON (its start is quoted). */
export function invalidJsonEvent(data: string): StreamError {
  return { status: 502, kind: 'upstream', message: `upstream sent invalid JSON: ${data.slice(0, 200)}` }
}

/**
 * One streamed event. Order: `message-start` first; then blocks, each `*-start`, its deltas and
 * `*-end` (several blocks may be open at once, e.g. parallel tool calls); `usage` any time and
 * possibly repeated (later fields override earlier ones); at most one `finish`; `message-end`
 * last. `error` is terminal: nothing follows it. `index` names a block within the message: unique
 * per block, increasing in start order, not necessarily contiguous (encoders renumber).
 */
export type StreamEvent =
  /** The message began; `usage` may already hold input tokens. */
  | { type: 'message-start'; id: string; model: string; usage?: Usage; created?: number; extensions?: Extensions }
  /** A text block opened; `id` is the upstream's own id for it (a Responses message item's), for an encoder of that format. */
  | { type: 'text-start'; index: number; id?: string }
  /** More text for an open block. */
  | { type: 'text-delta'; index: number; text: string }
  /** A text block closed. */
  | { type: 'text-end'; index: number }
  /** A reasoning block opened; `redactedData` set for Anthropic redacted thinking; `origin` names whose opaque data follows. */
  | { type: 'reasoning-start'; index: number; redactedData?: string; id?: string; origin?: FormatId }
  /** More reasoning text. */
  | { type: 'reasoning-delta'; index: number; text: string }
  /** The block's signature (Anthropic `signature_delta`, Gemini `thoughtSignature`); appended if repeated. */
  | { type: 'reasoning-signature'; index: number; signature: string }
  /** A reasoning block closed; `encrypted` carries OpenAI Responses `encrypted_content` known only now. */
  | { type: 'reasoning-end'; index: number; encrypted?: string }
  /** A tool call opened with its id and name. */
  | { type: 'tool-call-start'; index: number; id: string; name: string; signature?: string }
  /** A fragment of the tool call's JSON arguments. */
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  /** A tool call's arguments are complete. */
  | { type: 'tool-call-end'; index: number }
  /** A whole block only `format` understands (see `RawPart`); other encoders skip it. */
  | { type: 'raw'; index: number; format: FormatId; value: Record<string, unknown> }
  /** Usage so far (merge field by field; later values win). */
  | { type: 'usage'; usage: Usage }
  /** Generation ended for this reason; `extensions` holds trailing message fields (Anthropic `context_management`). */
  | { type: 'finish'; finishReason: FinishReason; rawReason?: string; stopSequence?: string; extensions?: Extensions }
  /** The upstream failed mid-stream; terminal. */
  | { type: 'error'; error: StreamError }
  /** The message is complete; last event. */
  | { type: 'message-end' }

/** The `type` tag of every stream event. */
export type StreamEventType = StreamEvent['type']

/** Narrows `StreamEvent` to one variant by its tag. */
export type StreamEventOf<T extends StreamEventType> = Extract<StreamEvent, { type: T }>

/** Adds two calls' usage together (a field either call reported is kept; one both reported is summed). */
export function addUsage(first: Usage, second: Usage): Usage {
  const sum: Usage = { ...first }
  for (const key of ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens'] as const) {
    const value = second[key]
    if (value !== undefined) sum[key] = (sum[key] ?? 0) + value
  }
  return sum
}

/** Merges a later usage report into an earlier one (fields set later win). */
export function mergeUsage(previous: Usage | undefined, next: Usage): Usage {
  if (!previous) return { ...next }
  const merged: Usage = { ...previous }
  if (next.inputTokens !== undefined) merged.inputTokens = next.inputTokens
  if (next.outputTokens !== undefined) merged.outputTokens = next.outputTokens
  if (next.cacheReadTokens !== undefined) merged.cacheReadTokens = next.cacheReadTokens
  if (next.cacheWriteTokens !== undefined) merged.cacheWriteTokens = next.cacheWriteTokens
  if (next.reasoningTokens !== undefined) merged.reasoningTokens = next.reasoningTokens
  return merged
}
