import { type StreamError, type StreamEvent, invalidJsonEvent } from '../../core/ir'
import { isObject, type JsonObject } from '../../core/json'
import { learnPieceTemplate, matchPieceTemplate, type PieceTemplate } from '../../core/piece-template'
import type { Emit, SseEvent, StreamTransformer } from '../../core/sse'
import { FORMAT, reasoningText, SUMMARY_SEPARATOR } from './content'
import { decodeResponsesStreamError } from './errors'
import { mapResponsesStatus, rawResponsesReason } from './finish-reason'
import { decodeResponsesUsage, type ResponsesUsage } from './usage'

/** An IR block opened for part of an output item: its index and the text streamed so far. */
interface Block {
  index: number
  text: string
  open: boolean
}

/** What the decoder knows of one output item (keyed by `output_index`). */
interface Item {
  kind: 'message' | 'function' | 'reasoning' | 'raw'
  /** Message content parts by `content_index`. */
  parts: Map<number, Block>
  /** The function-call or reasoning block. */
  block?: Block
  /** Reasoning: the summary part being streamed (-1 before the first) and its text so far. */
  summaryIndex: number
  summaryText: string
  /** A message item's id, handed on with its first content part. */
  id?: string
}

const terminalTypes = new Set(['response.completed', 'response.incomplete', 'response.failed', 'response.cancelled'])

// Events that carry one piece of text in `delta`: a repeat of such an event is read without JSON.parse.
const pieceTypes = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.function_call_arguments.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
])

/**
 * A parsed delta event kept as the template its successors are matched against (see core/piece-template), with
 * its parsed payload: a match is handled as that payload with the new `delta`. Only `sequence_number` and the
 * `obfuscation` padding may differ besides, and the decoder reads neither.
 */
interface DeltaTemplate extends PieceTemplate {
  event: string | undefined
  type: string
  payload: JsonObject
}

/** The extra text a final `…done` value adds to what was streamed (upstreams may skip deltas). */
function missingSuffix(streamed: string, full: unknown): string | undefined {
  if (typeof full !== 'string' || full.length <= streamed.length || !full.startsWith(streamed)) return undefined
  return full.slice(streamed.length)
}

/**
 * OpenAI Responses SSE events → IR stream events. Message content parts become text blocks,
 * `function_call` items tool calls (id = `call_id`), `reasoning` items one reasoning block each
 * (summary parts joined by a blank line; `encrypted_content` from `output_item.done` lands on
 * `reasoning-end`), every other item type a `raw` event at its `output_item.done`. Text missing
 * from the deltas is recovered from the `…done` events. Unknown event types are ignored.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function createResponsesStreamDecoderTransformer(): StreamTransformer<SseEvent, StreamEvent> {
  let started = false
  let ended = false
  let calledFunction = false
  let nextIndex = 0
  const items = new Map<number, Item>()
  let target: Emit<StreamEvent>

  const emit = (event: StreamEvent) => target(event)
  const fail = (error: StreamError) => {
    ended = true
    emit({ type: 'error', error })
  }

  const openText = (item: Item, contentIndex: number, initial: unknown): Block => {
    const block: Block = { index: nextIndex++, text: '', open: true }
    item.parts.set(contentIndex, block)
    emit(contentIndex === 0 && item.id !== undefined ? { type: 'text-start', index: block.index, id: item.id } : { type: 'text-start', index: block.index })
    if (typeof initial === 'string' && initial.length > 0) addText(block, initial)
    return block
  }
  const addText = (block: Block, text: string) => {
    block.text += text
    emit({ type: 'text-delta', index: block.index, text })
  }
  const settleText = (block: Block, full: unknown) => {
    const missing = missingSuffix(block.text, full)
    if (missing !== undefined) addText(block, missing)
  }
  const addArguments = (block: Block, text: string) => {
    block.text += text
    emit({ type: 'tool-call-delta', index: block.index, argumentsDelta: text })
  }
  const addReasoning = (item: Item, text: string) => {
    item.block!.text += text
    item.summaryText += text
    emit({ type: 'reasoning-delta', index: item.block!.index, text })
  }
  /** A new summary part: a blank line separates it from the previous one. */
  const beginSummary = (item: Item, summaryIndex: unknown) => {
    const next = typeof summaryIndex === 'number' ? summaryIndex : item.summaryIndex + 1
    if (next === item.summaryIndex) return
    if (item.summaryIndex >= 0 && item.block!.text.length > 0) {
      item.block!.text += SUMMARY_SEPARATOR
      emit({ type: 'reasoning-delta', index: item.block!.index, text: SUMMARY_SEPARATOR })
    }
    item.summaryIndex = next
    item.summaryText = ''
  }

  const addItem = (outputIndex: number, wire: JsonObject): Item => {
    const item: Item = { kind: 'raw', parts: new Map(), summaryIndex: -1, summaryText: '' }
    items.set(outputIndex, item)
    if (wire.type === 'message') {
      item.kind = 'message'
      if (typeof wire.id === 'string') item.id = wire.id
    } else if (wire.type === 'function_call') {
      item.kind = 'function'
      calledFunction = true
      item.block = { index: nextIndex++, text: '', open: true }
      emit({ type: 'tool-call-start', index: item.block.index, id: String(wire.call_id ?? wire.id ?? ''), name: String(wire.name ?? '') })
      if (typeof wire.arguments === 'string' && wire.arguments.length > 0) addArguments(item.block, wire.arguments)
    } else if (wire.type === 'reasoning') {
      item.kind = 'reasoning'
      item.block = { index: nextIndex++, text: '', open: true }
      const start: StreamEvent = { type: 'reasoning-start', index: item.block.index, origin: FORMAT }
      if (typeof wire.id === 'string') start.id = wire.id
      emit(start)
    }
    return item
  }

  const finishItem = (outputIndex: number, wire: JsonObject) => {
    const item = items.get(outputIndex) ?? addItem(outputIndex, wire)
    if (item.kind === 'message') {
      const content = Array.isArray(wire.content) ? (wire.content as JsonObject[]) : []
      content.forEach((part, contentIndex) => {
        if (!isObject(part) || (part.type !== 'output_text' && part.type !== 'refusal')) return
        const full = part.type === 'refusal' ? part.refusal : part.text
        const block = item.parts.get(contentIndex) ?? openText(item, contentIndex, undefined)
        if (block.open) settleText(block, full)
      })
      closeItem(item)
    } else if (item.kind === 'function') {
      if (item.block!.open) {
        const missing = missingSuffix(item.block!.text, wire.arguments)
        if (missing !== undefined) addArguments(item.block!, missing)
      }
      closeItem(item)
    } else if (item.kind === 'reasoning') {
      if (item.block!.open) {
        const missing = missingSuffix(item.block!.text, reasoningText(wire))
        if (missing !== undefined) addReasoning(item, missing)
        item.block!.open = false
        const end: StreamEvent = { type: 'reasoning-end', index: item.block!.index }
        if (typeof wire.encrypted_content === 'string') end.encrypted = wire.encrypted_content
        emit(end)
      }
    } else {
      emit({ type: 'raw', index: nextIndex++, format: FORMAT, value: wire })
    }
    items.delete(outputIndex)
  }

  const closeItem = (item: Item) => {
    for (const block of item.parts.values()) {
      if (!block.open) continue
      block.open = false
      emit({ type: 'text-end', index: block.index })
    }
    const block = item.block
    if (block?.open) {
      block.open = false
      emit(item.kind === 'function' ? { type: 'tool-call-end', index: block.index } : { type: 'reasoning-end', index: block.index })
    }
  }

  const finish = (payload: JsonObject, type: string) => {
    const response = (isObject(payload.response) ? payload.response : {}) as JsonObject
    const status = response.status ?? type.slice('response.'.length)
    if (status === 'failed') return fail(decodeResponsesStreamError(isObject(response.error) ? response.error : { message: 'the upstream response failed' }))
    for (const item of items.values()) closeItem(item)
    items.clear()
    if (isObject(response.usage)) emit({ type: 'usage', usage: decodeResponsesUsage(response.usage as ResponsesUsage) })
    const incompleteReason = isObject(response.incomplete_details) ? response.incomplete_details.reason : undefined
    const event: StreamEvent = { type: 'finish', finishReason: mapResponsesStatus(status, incompleteReason, calledFunction) }
    const rawReason = rawResponsesReason(status, incompleteReason)
    if (rawReason !== undefined) event.rawReason = rawReason
    emit(event)
    ended = true
    emit({ type: 'message-end' })
  }

  const messageItem = (outputIndex: number): Item => items.get(outputIndex) ?? addItem(outputIndex, { type: 'message' })

  /** Acts on one parsed event of a started response. */
  const handle = (type: string, payload: JsonObject): void => {
    if (terminalTypes.has(type)) return finish(payload, type)
    const outputIndex = typeof payload.output_index === 'number' ? payload.output_index : 0
    switch (type) {
      case 'response.output_item.added':
        if (isObject(payload.item) && !items.has(outputIndex)) addItem(outputIndex, payload.item)
        return
      case 'response.output_item.done':
        if (isObject(payload.item)) finishItem(outputIndex, payload.item)
        return
      case 'response.content_part.added': {
        const item = messageItem(outputIndex)
        const part = (isObject(payload.part) ? payload.part : {}) as JsonObject
        const contentIndex = typeof payload.content_index === 'number' ? payload.content_index : item.parts.size
        if (item.kind === 'message' && (part.type === 'output_text' || part.type === 'refusal') && !item.parts.has(contentIndex)) {
          openText(item, contentIndex, part.type === 'refusal' ? part.refusal : part.text)
        }
        return
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta': {
        const item = messageItem(outputIndex)
        if (item.kind !== 'message' || typeof payload.delta !== 'string' || payload.delta.length === 0) return
        const contentIndex = typeof payload.content_index === 'number' ? payload.content_index : 0
        const block = item.parts.get(contentIndex) ?? openText(item, contentIndex, undefined)
        if (block.open) addText(block, payload.delta)
        return
      }
      case 'response.output_text.done':
      case 'response.refusal.done':
      case 'response.content_part.done': {
        const item = items.get(outputIndex)
        const block = item?.parts.get(typeof payload.content_index === 'number' ? payload.content_index : 0)
        if (!block?.open) return
        const part = isObject(payload.part) ? payload.part : undefined
        settleText(block, part ? (part.type === 'refusal' ? part.refusal : part.text) : type === 'response.refusal.done' ? payload.refusal : payload.text)
        if (type === 'response.content_part.done') {
          block.open = false
          emit({ type: 'text-end', index: block.index })
        }
        return
      }
      case 'response.function_call_arguments.delta': {
        const item = items.get(outputIndex)
        if (item?.kind !== 'function' || !item.block!.open || typeof payload.delta !== 'string' || payload.delta.length === 0) return
        return addArguments(item.block!, payload.delta)
      }
      case 'response.function_call_arguments.done': {
        const item = items.get(outputIndex)
        if (item?.kind !== 'function' || !item.block!.open) return
        const missing = missingSuffix(item.block!.text, payload.arguments)
        if (missing !== undefined) addArguments(item.block!, missing)
        return
      }
      case 'response.reasoning_summary_part.added': {
        const item = items.get(outputIndex)
        if (item?.kind === 'reasoning' && item.block!.open) beginSummary(item, payload.summary_index)
        return
      }
      case 'response.reasoning_summary_text.delta': {
        const item = items.get(outputIndex)
        if (item?.kind !== 'reasoning' || !item.block!.open || typeof payload.delta !== 'string' || payload.delta.length === 0) return
        beginSummary(item, payload.summary_index)
        return addReasoning(item, payload.delta)
      }
      case 'response.reasoning_summary_text.done':
      case 'response.reasoning_summary_part.done': {
        const item = items.get(outputIndex)
        if (item?.kind !== 'reasoning' || !item.block!.open) return
        if (typeof payload.summary_index === 'number' && payload.summary_index !== item.summaryIndex) beginSummary(item, payload.summary_index)
        const full = type === 'response.reasoning_summary_part.done' ? (isObject(payload.part) ? payload.part.text : undefined) : payload.text
        const missing = missingSuffix(item.summaryText, full)
        if (missing !== undefined) addReasoning(item, missing)
        return
      }
      case 'response.reasoning_text.delta': {
        // open-weight models (gpt-oss through vLLM, Ollama…) stream raw reasoning text instead of a summary
        const item = items.get(outputIndex)
        if (item?.kind !== 'reasoning' || !item.block!.open || typeof payload.delta !== 'string' || payload.delta.length === 0) return
        return addReasoning(item, payload.delta)
      }
      default:
        return
    }
  }

  let template: DeltaTemplate | undefined

  return {
    transform(event, emit) {
      target = emit
      if (ended) return
      if (template && event.event === template.event) {
        const piece = matchPieceTemplate(template, event.data)
        if (piece !== undefined) {
          template.payload.delta = piece
          return handle(template.type, template.payload)
        }
      }
      template = undefined
      let payload: JsonObject
      try {
        payload = JSON.parse(event.data) as JsonObject
      } catch {
        if (event.data === '[DONE]') return
        return fail(invalidJsonEvent(event.data))
      }
      const type = String(payload.type ?? event.event ?? '')
      if (type === 'error') return fail(decodeResponsesStreamError(payload))
      if (!started) {
        if (type !== 'response.created' && type !== 'response.in_progress' && type !== 'response.queued') {
          if (!type.startsWith('response.')) return
          return fail({ status: 502, kind: 'upstream', message: `upstream sent ${type} before response.created` })
        }
        started = true
        const response = (isObject(payload.response) ? payload.response : {}) as JsonObject
        const start: StreamEvent = { type: 'message-start', id: String(response.id ?? ''), model: String(response.model ?? '') }
        if (typeof response.created_at === 'number') start.created = response.created_at
        return emit(start)
      }
      handle(type, payload)
      if (!ended && pieceTypes.has(type) && typeof payload.delta === 'string' && payload.delta.length > 0) {
        const found = learnPieceTemplate(event.data, 'delta', payload.delta, { padding: 'obfuscation', counter: 'sequence_number' })
        if (found) template = { event: event.event, type, payload, literals: found.literals, slots: found.slots }
      }
    },
    flush(emit) {
      target = emit
      if (ended) return
      if (!started) return fail({ status: 502, kind: 'upstream', message: 'upstream stream was empty' })
      fail({ status: 502, kind: 'upstream', message: 'upstream stream ended before response.completed' })
    },
  }
}

