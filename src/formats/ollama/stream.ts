import type { EncodeContext } from '../../core/ids'
import { mergeUsage, type FinishReason, type StreamError, type StreamEvent, type Usage, truncatedStream, invalidJsonEvent } from '../../core/ir'
import { isObject, type JsonObject } from '../../core/json'
import type { Emit, SseEvent, StreamTransformer } from '../../core/sse'
import { mapOllamaDoneReason, toOllamaDoneReason } from './finish-reason'
import { decodeOllamaToolCalls, toArgumentsObject } from './request'
import { decodeCreatedAt, encodeCreatedAt } from './response'
import { decodeOllamaUsage, encodeOllamaUsage, pickDurations } from './usage'

const FORMAT = 'ollama'

/**
 * Ollama NDJSON lines (each `{ data }` is one line) → IR stream events. Each line carries a piece
 * of `message.content` / `message.thinking`, or whole `tool_calls` (one start, one delta and one
 * end each, ids `call_<n>`); the line with `done: true` carries the counts and `done_reason`.
 * `{"error": …}` is an in-band failure.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#chat-request-streaming
 */
export function createOllamaStreamDecoderTransformer(): StreamTransformer<SseEvent, StreamEvent> {
  let started = false
  let ended = false
  let nextIndex = 0
  let textIndex = -1
  let reasoningIndex = -1
  let calls = 0
  let target: Emit<StreamEvent>

  const emit = (event: StreamEvent) => target(event)
  const fail = (error: StreamError) => {
    ended = true
    emit({ type: 'error', error })
  }
  const closeText = () => {
    if (textIndex !== -1) emit({ type: 'text-end', index: textIndex })
    textIndex = -1
  }
  const closeReasoning = () => {
    if (reasoningIndex !== -1) emit({ type: 'reasoning-end', index: reasoningIndex })
    reasoningIndex = -1
  }

  return {
    transform(event, emit) {
      target = emit
      if (ended) return
      let line: JsonObject
      try {
        line = JSON.parse(event.data) as JsonObject
      } catch {
        return fail(invalidJsonEvent(event.data))
      }
      if (!isObject(line)) return fail({ status: 502, kind: 'upstream', message: 'upstream sent a line that is not an object' })
      if (line.error !== undefined && line.error !== null) {
        return fail({ status: 502, kind: 'upstream', message: typeof line.error === 'string' ? line.error : JSON.stringify(line.error) })
      }
      if (!started) {
        started = true
        const start: StreamEvent = { type: 'message-start', id: '', model: String(line.model ?? '') }
        const created = decodeCreatedAt(line.created_at)
        if (created !== undefined) start.created = created
        emit(start)
      }
      const message = (isObject(line.message) ? line.message : {}) as JsonObject
      if (typeof message.thinking === 'string' && message.thinking.length > 0) {
        closeText()
        if (reasoningIndex === -1) {
          reasoningIndex = nextIndex++
          emit({ type: 'reasoning-start', index: reasoningIndex })
        }
        emit({ type: 'reasoning-delta', index: reasoningIndex, text: message.thinking })
      }
      if (typeof message.content === 'string' && message.content.length > 0) {
        closeReasoning()
        if (textIndex === -1) {
          textIndex = nextIndex++
          emit({ type: 'text-start', index: textIndex })
        }
        emit({ type: 'text-delta', index: textIndex, text: message.content })
      }
      const toolCalls = decodeOllamaToolCalls(message.tool_calls, calls)
      if (toolCalls.length > 0) {
        closeReasoning()
        closeText()
        calls += toolCalls.length
        for (const call of toolCalls) {
          const index = nextIndex++
          emit({ type: 'tool-call-start', index, id: call.id, name: call.name })
          emit({ type: 'tool-call-delta', index, argumentsDelta: call.arguments })
          emit({ type: 'tool-call-end', index })
        }
      }
      if (line.done === true) {
        closeReasoning()
        closeText()
        const usage = decodeOllamaUsage(line)
        if (usage) emit({ type: 'usage', usage })
        const finish: StreamEvent = { type: 'finish', finishReason: mapOllamaDoneReason(line.done_reason, calls > 0) }
        if (typeof line.done_reason === 'string') finish.rawReason = line.done_reason
        const durations = pickDurations(line)
        if (durations) finish.extensions = { [FORMAT]: durations }
        emit(finish)
        ended = true
        emit({ type: 'message-end' })
      }
    },
    flush(emit) {
      target = emit
      if (ended) return
      if (!started) return fail({ status: 502, kind: 'upstream', message: 'upstream stream was empty' })
      fail({ status: 502, kind: 'upstream', message: 'upstream stream ended before the done line' })
    },
  }
}


interface PendingCall {
  name: string
  arguments: string
}

/**
 * IR stream events → Ollama NDJSON lines for a client (`{model, created_at, message, done}` per
 * line; framed by the NDJSON encoder). Text and thinking go out as they arrive; a tool call is
 * held until its arguments are complete, since Ollama sends them as an object; the last line has
 * `done: true`, `done_reason` and the counts. An error is the line `{"error": …}`.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#chat-request-streaming
 */
export function createOllamaStreamEncoderTransformer(context: EncodeContext): StreamTransformer<StreamEvent, SseEvent> {
  let started = false
  let ended = false
  let model = context.model ?? ''
  let createdAt = ''
  /** `{"model":…,"created_at":…,"message":{"role":"assistant",` — shared head of every line. */
  let head = ''
  let usage: Usage | undefined
  let finish: Extract<StreamEvent, { type: 'finish' }> | undefined
  let calledTool = false
  const pending = new Map<number, PendingCall>()
  let target: Emit<SseEvent>

  const ensureStarted = (event?: Extract<StreamEvent, { type: 'message-start' }>) => {
    if (started) return
    started = true
    model = context.model ?? event?.model ?? ''
    createdAt = encodeCreatedAt(event?.created, context)
    head = `{"model":${JSON.stringify(model)},"created_at":${JSON.stringify(createdAt)},"message":{"role":"assistant",`
  }
  const line = (fields: string) => target({ data: `${head}${fields}},"done":false}` })
  const fail = (error: Pick<StreamError, 'message'>) => {
    ended = true
    // the same line as `encodeOllamaStreamError`, from a plain stream error
    target({ data: JSON.stringify({ error: error.message }) })
  }

  return {
    transform(event, emit) {
      target = emit
      if (ended) return
      switch (event.type) {
        case 'message-start':
          ensureStarted(event)
          if (event.usage) usage = mergeUsage(usage, event.usage)
          return
        case 'text-delta':
          ensureStarted()
          if (event.text.length > 0) line(`"content":${JSON.stringify(event.text)}`)
          return
        case 'reasoning-delta':
          ensureStarted()
          if (event.text.length > 0) line(`"content":"","thinking":${JSON.stringify(event.text)}`)
          return
        case 'tool-call-start':
          ensureStarted()
          pending.set(event.index, { name: event.name, arguments: '' })
          return
        case 'tool-call-delta': {
          const call = pending.get(event.index)
          if (call) call.arguments += event.argumentsDelta
          return
        }
        case 'tool-call-end': {
          const call = pending.get(event.index)
          if (!call) return
          pending.delete(event.index)
          calledTool = true
          line(`"content":"","tool_calls":${JSON.stringify([{ function: { name: call.name, arguments: toArgumentsObject(call.arguments) } }])}`)
          return
        }
        case 'usage':
          usage = mergeUsage(usage, event.usage)
          return
        case 'finish':
          finish = event
          return
        case 'error':
          return fail(event.error)
        case 'message-end': {
          ensureStarted()
          ended = true
          const reason: FinishReason = finish?.finishReason ?? (calledTool ? 'tool-calls' : 'stop')
          const done: JsonObject = {
            model,
            created_at: createdAt,
            message: { role: 'assistant', content: '' },
            done: true,
            done_reason: toOllamaDoneReason(reason, finish?.rawReason),
            ...finish?.extensions?.[FORMAT],
            ...encodeOllamaUsage(usage),
          }
          target({ data: JSON.stringify(done) })
          return
        }
        default:
          ensureStarted()
          return
      }
    },
    flush(emit) {
      target = emit
      if (!ended) fail(truncatedStream())
    },
  }
}

