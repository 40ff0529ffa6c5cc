import type { EncodeContext } from '../../core/ids'
import { mergeUsage, type FinishReason, type StreamError, type StreamEvent, type Usage, truncatedStream } from '../../core/ir'
import type { JsonObject } from '../../core/json'
import type { Emit, SseEvent } from '../../core/sse'
import type { FormatId, StreamEventEncoder } from '../types'
import { encodeReasoningItem, FORMAT, reasoningItemId } from './content'
import { responsesErrorCode } from './errors'
import { toResponsesStatus } from './finish-reason'
import { buildResponseObject, responsesId } from './response'

function locationOf(id: string, outputIndex: number, extra = ''): string {
  return `"item_id":${JSON.stringify(id)},"output_index":${outputIndex}${extra},`
}

/** One output item being streamed, opened for an IR block. */
interface OpenItem {
  kind: 'message' | 'function' | 'reasoning'
  outputIndex: number
  id: string
  /** `"item_id":…,"output_index":…,` (plus `content_index`/`summary_index`) for delta events. */
  location: string
  /** Text, arguments or summary streamed so far. */
  text: string
  /** Reasoning: whether the summary part has been added. */
  partOpen: boolean
  callId: string
  name: string
  origin?: FormatId
}

/**
 * IR stream events → OpenAI Responses SSE for a client (Codex CLI, the openai SDKs' Responses
 * stream helpers). The contract they rely on: `response.created` first and the same response id
 * throughout; `output_index` counts items in the order they are added and every
 * `response.output_item.added` gets its `response.output_item.done`; deltas only name an item
 * (and content part) already added; `sequence_number` counts every event from 0; the `event:`
 * line repeats the type. Each IR text block becomes a message item (`content_part.added`,
 * `output_text.delta`, `output_text.done`, `content_part.done`), each tool call a `function_call`
 * item, each reasoning block a `reasoning` item with one summary part; `encrypted_content` is
 * only set when the reasoning came from a Responses upstream. The stream always ends with a
 * `response.completed` carrying the full `output` and `usage` (status `incomplete` plus
 * `incomplete_details` for length/content-filter ends, since the Python SDK and Codex insist on
 * `response.completed`). A failure is sent as OpenAI itself sends it: an `error` event, then
 * `response.failed` with the error on the response.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function createResponsesStreamEncoderTransformer(context: EncodeContext): StreamEventEncoder {
  let sequence = 0
  let started = false
  let ended = false
  let responseId = ''
  let model = context.model ?? ''
  let createdAt = 0
  let usage: Usage | undefined
  let finishReason: FinishReason | undefined
  const output: JsonObject[] = []
  const open = new Map<number, OpenItem>()
  let target: Emit<SseEvent>

  const send = (type: string, payload: JsonObject) => {
    target({ event: type, data: JSON.stringify({ type, sequence_number: sequence++, ...payload }) })
  }
  /** The hot path: a delta event written without building an object (same JSON as `send`). */
  const sendDelta = (type: string, location: string, delta: string, tail = '') => {
    target({ event: type, data: `{"type":"${type}","sequence_number":${sequence++},${location}"delta":${JSON.stringify(delta)}${tail}}` })
  }
  const envelope = (status: string, extra: { incompleteDetails?: { reason: string } | null; error?: { code: string; message: string } } = {}) =>
    buildResponseObject({
      id: responseId,
      createdAt,
      model,
      status,
      incompleteDetails: extra.incompleteDetails,
      error: extra.error,
      output: status === 'in_progress' ? [] : open.size === 0 ? output : withoutOpenItems(),
      usage: status === 'in_progress' ? null : usage,
    })

  /** The finished items only (a failed response leaves some open). */
  const withoutOpenItems = () => {
    const openIndexes = new Set([...open.values()].map((item) => item.outputIndex))
    return output.filter((_, outputIndex) => !openIndexes.has(outputIndex))
  }

  const ensureStarted = (event?: Extract<StreamEvent, { type: 'message-start' }>) => {
    if (started) return
    started = true
    responseId = responsesId(event?.id, context)
    model = context.model ?? event?.model ?? ''
    createdAt = event?.created ?? Math.floor(context.clock.now() / 1000)
    if (event?.usage) usage = mergeUsage(usage, event.usage)
    send('response.created', { response: envelope('in_progress') })
    send('response.in_progress', { response: envelope('in_progress') })
  }

  const addItem = (blockIndex: number, item: OpenItem, wire: JsonObject) => {
    open.set(blockIndex, item)
    output.push(wire)
    send('response.output_item.added', { output_index: item.outputIndex, item: wire })
  }

  const closeItem = (blockIndex: number, encrypted?: string) => {
    const item = open.get(blockIndex)
    if (!item) return
    open.delete(blockIndex)
    const location = { item_id: item.id, output_index: item.outputIndex }
    let done: JsonObject
    if (item.kind === 'message') {
      const part = { type: 'output_text', annotations: [], logprobs: [], text: item.text }
      send('response.output_text.done', { ...location, content_index: 0, text: item.text, logprobs: [] })
      send('response.content_part.done', { ...location, content_index: 0, part })
      done = { id: item.id, type: 'message', status: 'completed', content: [part], role: 'assistant' }
    } else if (item.kind === 'function') {
      if (item.text.length === 0) {
        // a call without arguments still gets a JSON object: clients parse `arguments`
        item.text = '{}'
        send('response.function_call_arguments.delta', { ...location, delta: '{}' })
      }
      send('response.function_call_arguments.done', { ...location, arguments: item.text })
      done = { id: item.id, type: 'function_call', status: 'completed', arguments: item.text, call_id: item.callId, name: item.name }
    } else {
      if (item.partOpen) {
        send('response.reasoning_summary_text.done', { ...location, summary_index: 0, text: item.text })
        send('response.reasoning_summary_part.done', { ...location, summary_index: 0, part: { type: 'summary_text', text: item.text } })
      }
      done = encodeReasoningItem({ text: item.partOpen ? item.text : '', encrypted, origin: item.origin }, item.id)
    }
    output[item.outputIndex] = done
    send('response.output_item.done', { output_index: item.outputIndex, item: done })
  }

  const handle = (event: StreamEvent) => {
    switch (event.type) {
      case 'text-start': {
        const id = event.id ?? context.ids('msg_')
        const item: OpenItem = { kind: 'message', outputIndex: output.length, id, location: locationOf(id, output.length, ',"content_index":0'), text: '', partOpen: true, callId: '', name: '' }
        addItem(event.index, item, { id: item.id, type: 'message', status: 'in_progress', content: [], role: 'assistant' })
        send('response.content_part.added', {
          item_id: item.id,
          output_index: item.outputIndex,
          content_index: 0,
          part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
        })
        return
      }
      case 'text-delta': {
        const item = open.get(event.index)
        if (item?.kind !== 'message' || event.text.length === 0) return
        item.text += event.text
        sendDelta('response.output_text.delta', item.location, event.text, ',"logprobs":[]')
        return
      }
      case 'tool-call-start': {
        const id = context.ids('fc_')
        const item: OpenItem = { kind: 'function', outputIndex: output.length, id, location: locationOf(id, output.length), text: '', partOpen: false, callId: event.id, name: event.name }
        addItem(event.index, item, { id: item.id, type: 'function_call', status: 'in_progress', arguments: '', call_id: event.id, name: event.name })
        return
      }
      case 'tool-call-delta': {
        const item = open.get(event.index)
        if (item?.kind !== 'function' || event.argumentsDelta.length === 0) return
        item.text += event.argumentsDelta
        sendDelta('response.function_call_arguments.delta', item.location, event.argumentsDelta)
        return
      }
      case 'reasoning-start': {
        const id = reasoningItemId(event, context.ids)
        const item: OpenItem = { kind: 'reasoning', outputIndex: output.length, id, location: locationOf(id, output.length, ',"summary_index":0'), text: '', partOpen: false, callId: '', name: '', origin: event.origin }
        addItem(event.index, item, { id, type: 'reasoning', summary: [] })
        return
      }
      case 'reasoning-delta': {
        const item = open.get(event.index)
        if (item?.kind !== 'reasoning' || event.text.length === 0) return
        if (!item.partOpen) {
          item.partOpen = true
          send('response.reasoning_summary_part.added', { item_id: item.id, output_index: item.outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } })
        }
        item.text += event.text
        sendDelta('response.reasoning_summary_text.delta', item.location, event.text)
        return
      }
      case 'text-end':
      case 'tool-call-end':
        return closeItem(event.index)
      case 'reasoning-end':
        return closeItem(event.index, event.encrypted)
      case 'raw': {
        if (event.format !== FORMAT) return
        const outputIndex = output.length
        output.push(event.value)
        send('response.output_item.added', { output_index: outputIndex, item: event.value })
        send('response.output_item.done', { output_index: outputIndex, item: event.value })
        return
      }
      default:
        return
    }
  }

  const fail = (error: Pick<StreamError, 'kind' | 'code' | 'message'>) => {
    ensureStarted()
    ended = true
    const code = responsesErrorCode(error)
    send('error', { code, message: error.message, param: null })
    send('response.failed', { response: envelope('failed', { error: { code, message: error.message } }) })
  }

  return {
    // A rebuilt stream: the client holds the upstream's events, numbered below `next`.
    numberFrom(next) {
      sequence = Math.max(sequence, next)
    },
    transform(event, emit) {
      target = emit
      if (ended) return
      switch (event.type) {
        case 'message-start':
          return ensureStarted(event)
        case 'usage':
          usage = mergeUsage(usage, event.usage)
          return
        case 'finish':
          finishReason = event.finishReason
          return
        case 'error':
          return fail(event.error)
        case 'message-end': {
          ensureStarted()
          for (const blockIndex of [...open.keys()]) closeItem(blockIndex)
          ended = true
          const { status, incomplete_details } = toResponsesStatus(finishReason)
          send('response.completed', { response: envelope(status, { incompleteDetails: incomplete_details }) })
          return
        }
        default:
          ensureStarted()
          return handle(event)
      }
    },
    flush(emit) {
      target = emit
      if (!ended) fail(truncatedStream())
    },
  }
}

