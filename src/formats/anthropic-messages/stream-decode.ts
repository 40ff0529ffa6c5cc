import { ProxyError } from '../../core/errors'
import { type StreamError, type StreamEvent, truncatedStream, invalidJsonEvent } from '../../core/ir'
import { isObject, type JsonObject } from '../../core/json'
import { learnPieceTemplate, matchPieceTemplate, type PieceTemplate } from '../../core/piece-template'
import type { Emit, SseEvent } from '../../core/sse'
import type { StreamEventDecoder } from '../types'
import { kindForAnthropicErrorType } from './errors'
import { mapAnthropicStopReason } from './finish-reason'
import { decodeAnthropicUsage, type AnthropicUsage } from './usage'

const FORMAT = 'anthropic-messages'

interface OpenBlock {
  kind: 'text' | 'reasoning' | 'tool' | 'raw'
  /** The start block of a raw (server-tool…) block; its input JSON is gathered in `json`. */
  raw?: JsonObject
  json: string
  /** Input given whole in `content_block_start` (sent as one delta if no deltas follow). */
  initialInput?: string
}

/** A text or thinking delta that carried nothing else, as the template its successors are matched against (see core/piece-template). */
interface DeltaTemplate extends PieceTemplate {
  event: string | undefined
  kind: 'text' | 'reasoning'
  index: number
}

/** Reads an Anthropic in-band `error` payload. */
export function decodeAnthropicStreamError(payload: JsonObject): StreamError {
  const error = (isObject(payload.error) ? payload.error : {}) as JsonObject
  const kind = kindForAnthropicErrorType(error.type)
  return { status: new ProxyError(kind, '').status, kind, message: String(error.message ?? 'upstream error') }
}

/**
 * Anthropic Messages SSE events → IR stream events. Block indices are kept as sent; server-tool and
 * other unknown blocks are gathered and passed on whole as `raw` events.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createAnthropicStreamDecoderTransformer(): StreamEventDecoder {
  let started = false
  let finished = false
  let ended = false
  const blocks = new Map<number, OpenBlock>()
  let template: DeltaTemplate | undefined
  const learn = (event: SseEvent, kind: DeltaTemplate['kind'], index: number, piece: string) => {
    const found = learnPieceTemplate(event.data, kind === 'text' ? 'text' : 'thinking', piece)
    template = found && { event: event.event, kind, index, literals: found.literals, slots: found.slots }
  }

  const fail = (emit: Emit<StreamEvent>, error: StreamError) => {
    ended = true
    emit({ type: 'error', error })
  }

  return {
    // A delta that matches the template is read where it lies in the decoded text; any other goes to `transform`.
    transformRange(text, start, end, name, emit) {
      if (ended) return true
      if (!template || name !== template.event) return false
      const piece = matchPieceTemplate(template, text, start, end)
      if (piece === undefined) return false
      emit(template.kind === 'text' ? { type: 'text-delta', index: template.index, text: piece } : { type: 'reasoning-delta', index: template.index, text: piece })
      return true
    },
    transform(event, emit) {
      if (ended) return
      // A delta that repeats the previous one but for its text is read without JSON.parse. Only a parsed
      // event can open or close a block, and parsing drops the template, so its block is still open.
      if (template && event.event === template.event) {
        const text = matchPieceTemplate(template, event.data)
        if (text !== undefined) return emit(template.kind === 'text' ? { type: 'text-delta', index: template.index, text } : { type: 'reasoning-delta', index: template.index, text })
      }
      template = undefined
      let payload: JsonObject
      try {
        payload = JSON.parse(event.data) as JsonObject
      } catch {
        if (event.data === '[DONE]') return
        return fail(emit, invalidJsonEvent(event.data))
      }
      const type = payload.type ?? event.event
      if (type === 'error') return fail(emit, decodeAnthropicStreamError(payload))
      if (type === 'ping') return
      if (type === 'message_start') {
        if (started) return // some upstreams repeat message_start; the first one wins
        started = true
        const message = (isObject(payload.message) ? payload.message : {}) as JsonObject
        const start: StreamEvent = { type: 'message-start', id: String(message.id ?? ''), model: String(message.model ?? '') }
        if (isObject(message.usage)) start.usage = decodeAnthropicUsage(message.usage as AnthropicUsage)
        if (message.container !== undefined && message.container !== null) start.extensions = { [FORMAT]: { container: message.container } }
        return emit(start)
      }
      if (!started) {
        return fail(emit, { status: 502, kind: 'upstream', message: `upstream sent ${String(type)} before message_start` })
      }
      const index = typeof payload.index === 'number' ? payload.index : -1
      switch (type) {
        case 'content_block_start': {
          const block = (isObject(payload.content_block) ? payload.content_block : {}) as JsonObject
          if (block.type === 'text') {
            blocks.set(index, { kind: 'text', json: '' })
            emit({ type: 'text-start', index })
            if (typeof block.text === 'string' && block.text.length > 0) emit({ type: 'text-delta', index, text: block.text })
          } else if (block.type === 'thinking') {
            blocks.set(index, { kind: 'reasoning', json: '' })
            emit({ type: 'reasoning-start', index, origin: FORMAT })
            if (typeof block.thinking === 'string' && block.thinking.length > 0) {
              emit({ type: 'reasoning-delta', index, text: block.thinking })
            }
            if (typeof block.signature === 'string' && block.signature.length > 0) {
              emit({ type: 'reasoning-signature', index, signature: block.signature })
            }
          } else if (block.type === 'redacted_thinking') {
            blocks.set(index, { kind: 'reasoning', json: '' })
            emit({ type: 'reasoning-start', index, redactedData: String(block.data ?? ''), origin: FORMAT })
          } else if (block.type === 'tool_use') {
            const input = isObject(block.input) && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : undefined
            blocks.set(index, { kind: 'tool', json: '', initialInput: input })
            emit({ type: 'tool-call-start', index, id: String(block.id), name: String(block.name) })
          } else {
            blocks.set(index, { kind: 'raw', raw: block, json: '' })
          }
          return
        }
        case 'content_block_delta': {
          const open = blocks.get(index)
          const delta = (isObject(payload.delta) ? payload.delta : {}) as JsonObject
          if (!open) return fail(emit, { status: 502, kind: 'upstream', message: `upstream sent a delta for unknown block ${index}` })
          if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text.length > 0) {
            emit({ type: 'text-delta', index, text: delta.text })
            learn(event, 'text', index, delta.text)
          } else if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string' && delta.thinking.length > 0) {
            emit({ type: 'reasoning-delta', index, text: delta.thinking })
            learn(event, 'reasoning', index, delta.thinking)
          } else if (delta.type === 'signature_delta' && typeof delta.signature === 'string') {
            emit({ type: 'reasoning-signature', index, signature: delta.signature })
          } else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
            if (open.kind === 'tool') {
              if (delta.partial_json.length > 0) emit({ type: 'tool-call-delta', index, argumentsDelta: delta.partial_json })
            }
            open.json += delta.partial_json
          }
          return
        }
        case 'content_block_stop': {
          const open = blocks.get(index)
          if (!open) return
          blocks.delete(index)
          if (open.kind === 'text') emit({ type: 'text-end', index })
          else if (open.kind === 'reasoning') emit({ type: 'reasoning-end', index })
          else if (open.kind === 'tool') {
            if (open.json.length === 0 && open.initialInput) {
              emit({ type: 'tool-call-delta', index, argumentsDelta: open.initialInput })
            }
            emit({ type: 'tool-call-end', index })
          } else {
            const value = { ...open.raw }
            if (open.json.length > 0) {
              try {
                value.input = JSON.parse(open.json)
              } catch {
                value.input = open.json
              }
            }
            emit({ type: 'raw', index, format: FORMAT, value })
          }
          return
        }
        case 'message_delta': {
          if (isObject(payload.usage)) emit({ type: 'usage', usage: decodeAnthropicUsage(payload.usage as AnthropicUsage) })
          const delta = (isObject(payload.delta) ? payload.delta : {}) as JsonObject
          if (typeof delta.stop_reason === 'string' && !finished) {
            finished = true
            const finish: StreamEvent = { type: 'finish', finishReason: mapAnthropicStopReason(delta.stop_reason), rawReason: delta.stop_reason }
            if (typeof delta.stop_sequence === 'string') finish.stopSequence = delta.stop_sequence
            const extra: JsonObject = {}
            for (const key in payload) if (key !== 'type' && key !== 'delta' && key !== 'usage') extra[key] = payload[key]
            if (delta.container !== undefined && delta.container !== null) extra.container = delta.container
            if (Object.keys(extra).length > 0) finish.extensions = { [FORMAT]: extra }
            emit(finish)
          }
          return
        }
        case 'message_stop':
          ended = true
          if (!finished) emit({ type: 'finish', finishReason: 'other' })
          return emit({ type: 'message-end' })
        default:
          return
      }
    },
    flush(emit) {
      if (ended) return
      if (!started) return fail(emit, { status: 502, kind: 'upstream', message: 'upstream stream was empty' })
      if (!finished) return fail(emit, truncatedStream())
      emit({ type: 'message-end' })
    },
  }
}

