/**
 * The Gemini Code Assist envelope (`cloudcode-pa.googleapis.com/v1internal:*`) that Gemini CLI and
 * Antigravity speak: a Gemini `generateContent` body wrapped as `{model, project, request}`, and
 * answers wrapped as `{response: …}` (each SSE event too). Pure.
 * @see https://github.com/google-gemini/gemini-cli/blob/main/packages/core/src/code_assist/converter.ts
 * @module
 */
import { createSseDecoderStream, createSseEncoderStream } from '../../core/sse'

/** Fields the envelope adds besides the wrapped request (Antigravity: `userAgent`, `requestType`, `requestId`). */
export interface CodeAssistEnvelope {
  model: string
  project?: string
  /** Gemini CLI's per-prompt id (`user_prompt_id`). */
  userPromptId?: string
  /** The session id Gemini CLI puts inside the request. */
  sessionId?: string
  extra?: Record<string, unknown>
}

/** Wraps a Gemini `generateContent` body in the Code Assist envelope. */
export function wrapCodeAssistRequest(body: Record<string, unknown>, envelope: CodeAssistEnvelope): Record<string, unknown> {
  const { model: _model, ...request } = body
  if (envelope.sessionId && request.session_id === undefined) request.session_id = envelope.sessionId
  const out: Record<string, unknown> = { model: envelope.model, ...envelope.extra, request }
  if (envelope.project) out.project = envelope.project
  if (envelope.userPromptId) out.user_prompt_id = envelope.userPromptId
  return out
}

/** Unwraps one Code Assist answer (`{response: …}`) into a plain Gemini answer; other shapes pass unchanged. */
export function unwrapCodeAssistResponse(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapCodeAssistResponse)
  if (value && typeof value === 'object' && 'response' in value) {
    const inner = (value as { response: unknown }).response
    if (inner && typeof inner === 'object') return inner
  }
  return value
}

/** Bytes of Code Assist SSE → bytes of plain Gemini SSE (each event's `data` unwrapped). */
export function createCodeAssistUnwrapStream(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = createSseDecoderStream()
  const encoder = createSseEncoderStream()
  const unwrap = new TransformStream<{ event?: string; data: string }, { event?: string; data: string }>({
    transform(event, controller) {
      let data = event.data
      try {
        data = JSON.stringify(unwrapCodeAssistResponse(JSON.parse(event.data)))
      } catch {
        // Not JSON ([DONE] or a comment): pass as is.
      }
      controller.enqueue(event.event === undefined ? { data } : { event: event.event, data })
    },
  })
  // Chain the three and expose the ends as one pair.
  const output = decoder.readable.pipeThrough(unwrap).pipeThrough(encoder)
  return { writable: decoder.writable, readable: output } as unknown as TransformStream<Uint8Array, Uint8Array>
}
