import { kindForStatus } from '../../core/errors'
import type { EncodeContext } from '../../core/ids'
import { mergeUsage, type FinishReason, type StreamError, type StreamEvent, type Usage, truncatedStream, invalidJsonEvent } from '../../core/ir'
import type { JsonObject } from '../../core/json'
import { learnPieceTemplate, matchPieceTemplate, type PieceTemplate } from '../../core/piece-template'
import type { Emit, SseEvent, StreamTransformer } from '../../core/sse'
import type { StreamEventDecoder } from '../types'
import { encodeOpenAIStreamError } from './errors'
import { mapOpenAIFinishReason, toOpenAIFinishReason } from './finish-reason'
import { decodeOpenAIUsage, encodeOpenAIUsage, type OpenAIUsage } from './usage'

interface ChunkToolCall {
  index?: number
  id?: string
  function?: { name?: string; arguments?: string }
}

/** Reads an in-band `{error:{…}}` payload as a stream error. */
export function decodeOpenAIStreamError(error: unknown): StreamError {
  const body = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as JsonObject
  const status = typeof body.code === 'number' ? body.code : typeof body.status === 'number' ? body.status : 502
  const decoded: StreamError = { status, kind: kindForStatus(status), message: String(body.message ?? 'upstream error') }
  if (typeof body.code === 'string') decoded.code = body.code
  return decoded
}

/** A chunk that carried only one piece of text or reasoning (see core/piece-template). */
interface DeltaTemplate extends PieceTemplate {
  kind: 'text' | 'reasoning'
}

/** Where a chunk's only piece sits; OpenAI pads chunks with a random `obfuscation` member that nothing reads. */
function learnTemplate(data: string, kind: DeltaTemplate['kind'], piece: string): DeltaTemplate | undefined {
  const key = kind === 'text' ? 'content' : data.includes('"reasoning_content"') ? 'reasoning_content' : 'reasoning'
  const template = learnPieceTemplate(data, key, piece, { padding: 'obfuscation' })
  return template && { kind, literals: template.literals, slots: template.slots }
}

/**
 * OpenAI `chat.completion.chunk` SSE events → IR stream events. Reasoning arrives as
 * `reasoning_content` (DeepSeek, Kimi, Qwen, xAI) or `reasoning` (Groq, OpenRouter); tool calls are
 * keyed by their `index` and their arguments may span many chunks.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
export function createOpenAIChatStreamDecoderTransformer(): StreamEventDecoder {
  let started = false
  let finished = false
  let ended = false
  let nextIndex = 0
  let textIndex = -1
  let reasoningIndex = -1
  let messageId = ''
  const toolIndexes = new Map<number, number>()
  // The last chunk that carried only one text or reasoning piece, as a template its successors are matched against.
  let template: DeltaTemplate | undefined

  const closeText = (emit: Emit<StreamEvent>) => {
    if (textIndex !== -1) emit({ type: 'text-end', index: textIndex })
    textIndex = -1
  }
  const closeReasoning = (emit: Emit<StreamEvent>) => {
    if (reasoningIndex !== -1) emit({ type: 'reasoning-end', index: reasoningIndex })
    reasoningIndex = -1
  }
  const closeAll = (emit: Emit<StreamEvent>) => {
    closeReasoning(emit)
    closeText(emit)
    for (const index of toolIndexes.values()) emit({ type: 'tool-call-end', index })
    toolIndexes.clear()
  }
  const fail = (emit: Emit<StreamEvent>, error: StreamError) => {
    ended = true
    emit({ type: 'error', error })
  }
  const textDelta = (emit: Emit<StreamEvent>, text: string) => {
    closeReasoning(emit)
    if (textIndex === -1) {
      textIndex = nextIndex++
      emit({ type: 'text-start', index: textIndex })
    }
    emit({ type: 'text-delta', index: textIndex, text })
  }
  const reasoningDelta = (emit: Emit<StreamEvent>, text: string) => {
    closeText(emit)
    if (reasoningIndex === -1) {
      reasoningIndex = nextIndex++
      emit({ type: 'reasoning-start', index: reasoningIndex })
    }
    emit({ type: 'reasoning-delta', index: reasoningIndex, text })
  }
  const start = (emit: Emit<StreamEvent>, chunk: JsonObject) => {
    started = true
    messageId = String(chunk.id ?? '')
    const event: StreamEvent = { type: 'message-start', id: messageId, model: String(chunk.model ?? '') }
    if (typeof chunk.created === 'number') event.created = chunk.created
    emit(event)
  }

  return {
    // A chunk that matches the template is read where it lies in the decoded text; any other goes to `transform`.
    transformRange(text, start, end, _event, emit) {
      if (ended) return true
      if (!template || finished) return false
      const piece = matchPieceTemplate(template, text, start, end)
      if (piece === undefined) return false
      if (template.kind === 'text') textDelta(emit, piece)
      else reasoningDelta(emit, piece)
      return true
    },
    transform(event, emit) {
      if (ended) return
      const data = event.data
      if (data === '[DONE]') {
        if (!started) return fail(emit, { status: 502, kind: 'upstream', message: 'upstream stream held no message' })
        if (!finished) {
          closeAll(emit)
          emit({ type: 'finish', finishReason: 'stop' })
        }
        ended = true
        emit({ type: 'message-end' })
        return
      }
      // Most chunks repeat the previous one but for their piece of text: those skip JSON.parse.
      if (template && !finished) {
        const text = matchPieceTemplate(template, data)
        if (text !== undefined) return template.kind === 'text' ? textDelta(emit, text) : reasoningDelta(emit, text)
      }
      template = undefined
      let chunk: JsonObject
      try {
        chunk = JSON.parse(data) as JsonObject
      } catch {
        return fail(emit, invalidJsonEvent(data))
      }
      if (chunk.error !== undefined && chunk.error !== null) return fail(emit, decodeOpenAIStreamError(chunk.error))
      const choices = Array.isArray(chunk.choices) ? (chunk.choices as JsonObject[]) : []
      const usage = (chunk.usage ?? (chunk.x_groq as JsonObject | undefined)?.usage) as OpenAIUsage | null | undefined
      // Azure sends a first chunk with an empty id and only `prompt_filter_results`
      if (!started && choices.length === 0 && !usage) return
      const wasStarted = started
      if (!started) start(emit, chunk)
      const choice = choices.find((item) => (item.index ?? 0) === 0)
      if (choice && !finished) {
        const delta = (choice.delta ?? {}) as JsonObject
        const reasoning = delta.reasoning_content ?? delta.reasoning
        const hasReasoning = typeof reasoning === 'string' && reasoning.length > 0
        const hasText = typeof delta.content === 'string' && delta.content.length > 0
        if (hasReasoning) reasoningDelta(emit, reasoning as string)
        if (hasText) textDelta(emit, delta.content as string)
        // One piece of text and nothing else: later chunks that differ only in that piece are read without parsing.
        const onlyPiece = wasStarted && !usage && choices.length === 1 && delta.tool_calls === undefined && (choice.finish_reason ?? null) === null
        if (onlyPiece && hasText !== hasReasoning) {
          template = learnTemplate(data, hasText ? 'text' : 'reasoning', hasText ? (delta.content as string) : (reasoning as string))
        }
        if (Array.isArray(delta.tool_calls)) {
          for (let position = 0; position < delta.tool_calls.length; position++) {
            const call = delta.tool_calls[position] as ChunkToolCall
            const key = call.index ?? position
            let index = toolIndexes.get(key)
            if (index === undefined) {
              closeReasoning(emit)
              closeText(emit)
              index = nextIndex++
              toolIndexes.set(key, index)
              // a provider that omits the id gets a deterministic one, never a random one
              const id = call.id || `call_${messageId}_${key}`
              emit({ type: 'tool-call-start', index, id, name: call.function?.name ?? '' })
            }
            const fragment = call.function?.arguments
            if (typeof fragment === 'string' && fragment.length > 0) {
              emit({ type: 'tool-call-delta', index, argumentsDelta: fragment })
            } else if (fragment !== undefined && typeof fragment !== 'string') {
              emit({ type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(fragment) })
            }
          }
        }
        if (typeof choice.finish_reason === 'string' && choice.finish_reason.length > 0) {
          closeAll(emit)
          finished = true
          emit({
            type: 'finish',
            finishReason: mapOpenAIFinishReason(choice.finish_reason),
            rawReason: choice.finish_reason,
          })
        }
      }
      if (usage && typeof usage === 'object') emit({ type: 'usage', usage: decodeOpenAIUsage(usage) })
    },
    flush(emit) {
      if (ended) return
      if (!started) return fail(emit, { status: 502, kind: 'upstream', message: 'upstream stream was empty' })
      if (!finished) {
        return fail(emit, truncatedStream())
      }
      emit({ type: 'message-end' })
    },
  }
}


/**
 * IR stream events → OpenAI `chat.completion.chunk` SSE events, ending with `data: [DONE]`.
 * The finish chunk carries `usage` (as Groq and DeepSeek send it) so usage is never reported twice.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
export function createOpenAIChatStreamEncoderTransformer(context: EncodeContext): StreamTransformer<StreamEvent, SseEvent> {
  let id = ''
  let model = context.model ?? ''
  let created = 0
  let started = false
  let ended = false
  let usage: Usage | undefined
  let finishReason: FinishReason | undefined
  let nextToolIndex = 0
  const toolIndexes = new Map<number, number>()

  const chunk = (delta: JsonObject, finish: string | null = null, extra?: JsonObject): SseEvent => ({
    data: JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    }),
  })
  const ensureStarted = (emit: Emit<SseEvent>, event?: { id: string; model: string; created?: number }) => {
    if (started) return
    started = true
    id = event?.id || context.ids('chatcmpl-')
    model = context.model ?? event?.model ?? ''
    created = event?.created ?? Math.floor(context.clock.now() / 1000)
    emit(chunk({ role: 'assistant', content: '' }))
  }

  return {
    transform(event, emit) {
      if (ended) return
      switch (event.type) {
        case 'message-start':
          ensureStarted(emit, event)
          if (event.usage) usage = mergeUsage(usage, event.usage)
          return
        case 'text-delta':
          ensureStarted(emit)
          return emit(chunk({ content: event.text }))
        case 'reasoning-delta':
          ensureStarted(emit)
          return emit(chunk({ reasoning_content: event.text }))
        case 'tool-call-start': {
          ensureStarted(emit)
          const index = nextToolIndex++
          toolIndexes.set(event.index, index)
          return emit(
            chunk({ tool_calls: [{ index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }] }),
          )
        }
        case 'tool-call-delta': {
          const index = toolIndexes.get(event.index)
          if (index === undefined) return
          return emit(chunk({ tool_calls: [{ index, function: { arguments: event.argumentsDelta } }] }))
        }
        case 'usage':
          usage = mergeUsage(usage, event.usage)
          return
        case 'finish':
          finishReason = event.finishReason
          return
        case 'error':
          ended = true
          return emit(encodeOpenAIStreamError(event.error))
        case 'message-end': {
          ensureStarted(emit)
          ended = true
          const reason = finishReason ?? (nextToolIndex > 0 ? 'tool-calls' : 'stop')
          emit(chunk({}, toOpenAIFinishReason(reason), usage ? { usage: encodeOpenAIUsage(usage) } : undefined))
          return emit({ data: '[DONE]' })
        }
        default:
          return
      }
    },
    flush(emit) {
      if (!ended) emit(encodeOpenAIStreamError(truncatedStream()))
    },
  }
}

