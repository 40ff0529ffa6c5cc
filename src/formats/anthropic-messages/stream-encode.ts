import type { EncodeContext } from '../../core/ids'
import { mergeUsage, type StreamEvent, type Usage, truncatedStream } from '../../core/ir'
import { parseArguments, type JsonObject } from '../../core/json'
import type { Emit, SseEvent, StreamTransformer } from '../../core/sse'
import { encodeAnthropicStreamError } from './errors'
import { toAnthropicStopReason } from './finish-reason'
import { encodeAnthropicUsage } from './usage'

const FORMAT = 'anthropic-messages'

interface Block {
  kind: 'text' | 'reasoning' | 'tool'
  /** Index of the wire block currently carrying this IR block, or -1 when none is open. */
  wireIndex: number
  /** Anthropic signatures may be forwarded (they came from an Anthropic upstream). */
  signed: boolean
  arguments: string
}

/**
 * IR stream events → Anthropic Messages SSE, shaped the way Claude Code demands: exactly one
 * `message_start` carrying usage, block indices contiguous from 0 and never interleaved, every
 * block started and stopped, `stop_reason: "tool_use"` when a tool was called, usage in
 * `message_delta`, `message_stop` last, an `event:` line on every event, `event: error` in-band.
 * A tool call whose arguments are still incomplete keeps its block open: blocks that start
 * meanwhile are queued and replayed after it (upstreams may interleave parallel calls).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types
 */
export function createAnthropicStreamEncoderTransformer(context: EncodeContext): StreamTransformer<StreamEvent, SseEvent> {
  let started = false
  let ended = false
  let finish: Extract<StreamEvent, { type: 'finish' }> | undefined
  let usage: Usage | undefined
  let nextWireIndex = 0
  let open = -1
  let toolCalled = false
  let queue: StreamEvent[] = []
  const blocks = new Map<number, Block>()
  let target: Emit<SseEvent>

  const send = (type: string, payload: JsonObject) => target({ event: type, data: JSON.stringify({ type, ...payload }) })
  /** The hottest event (a text or thinking delta), written without building its objects. */
  const sendDelta = (index: number, deltaType: 'text_delta' | 'thinking_delta', field: 'text' | 'thinking', text: string) =>
    target({
      event: 'content_block_delta',
      data: `{"type":"content_block_delta","index":${index},"delta":{"type":"${deltaType}","${field}":${JSON.stringify(text)}}}`,
    })

  const ensureStarted = (event?: Extract<StreamEvent, { type: 'message-start' }>) => {
    if (started) return
    started = true
    if (event?.usage) usage = mergeUsage(usage, event.usage)
    send('message_start', {
      message: {
        id: event?.id || context.ids('msg_'),
        type: 'message',
        role: 'assistant',
        model: context.model ?? event?.model ?? '',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: encodeAnthropicUsage(usage),
      },
    })
  }

  const closeOpen = () => {
    if (open === -1) return
    const block = blocks.get(open)!
    send('content_block_stop', { index: block.wireIndex })
    block.wireIndex = -1
    open = -1
  }

  /** May the open wire block be closed so another one starts? Not while a tool call's JSON is unfinished. */
  const canSwitch = (force: boolean) => {
    if (force || open === -1) return queue.length === 0 || force
    const current = blocks.get(open)!
    if (queue.length > 0) return false
    return current.kind !== 'tool' || parseArguments(current.arguments) !== undefined
  }

  const openBlock = (index: number, block: Block, contentBlock: JsonObject) => {
    closeOpen()
    block.wireIndex = nextWireIndex++
    open = index
    send('content_block_start', { index: block.wireIndex, content_block: contentBlock })
  }

  const drain = (force: boolean) => {
    const pending = queue
    queue = []
    for (const event of pending) handle(event, force)
  }

  /** Routes a block event to the open wire block, opens a new one, or queues it. */
  const handle = (event: StreamEvent, force = false): void => {
    switch (event.type) {
      case 'text-start':
        blocks.set(event.index, { kind: 'text', wireIndex: -1, signed: false, arguments: '' })
        return
      case 'reasoning-start': {
        const block: Block = { kind: 'reasoning', wireIndex: -1, signed: event.origin === FORMAT, arguments: '' }
        blocks.set(event.index, block)
        if (event.redactedData !== undefined && block.signed) {
          if (!canSwitch(force)) return void queue.push(event)
          openBlock(event.index, block, { type: 'redacted_thinking', data: event.redactedData })
          closeOpen()
        }
        return
      }
      case 'text-delta':
      case 'reasoning-delta':
      case 'reasoning-signature': {
        const block = blocks.get(event.index)
        if (!block) return
        if (event.type === 'reasoning-signature' && !block.signed) return
        if (open !== event.index) {
          if (!canSwitch(force)) return void queue.push(event)
          openBlock(event.index, block, block.kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' })
        }
        if (event.type === 'text-delta') sendDelta(block.wireIndex, 'text_delta', 'text', event.text)
        else if (event.type === 'reasoning-delta') sendDelta(block.wireIndex, 'thinking_delta', 'thinking', event.text)
        else send('content_block_delta', { index: block.wireIndex, delta: { type: 'signature_delta', signature: event.signature } })
        return
      }
      case 'text-end':
      case 'reasoning-end':
        if (open === event.index) {
          closeOpen()
          drain(force)
        } else if (queue.length > 0 && !force) queue.push(event)
        return
      case 'tool-call-start': {
        if (!canSwitch(force)) return void queue.push(event)
        const block: Block = { kind: 'tool', wireIndex: -1, signed: false, arguments: '' }
        blocks.set(event.index, block)
        toolCalled = true
        openBlock(event.index, block, { type: 'tool_use', id: event.id, name: event.name, input: {} })
        return
      }
      case 'tool-call-delta': {
        const block = blocks.get(event.index)
        if (!block) return void queue.push(event) // its start is queued
        if (open !== event.index) return // closed once its JSON was complete
        block.arguments += event.argumentsDelta
        send('content_block_delta', { index: block.wireIndex, delta: { type: 'input_json_delta', partial_json: event.argumentsDelta } })
        return
      }
      case 'tool-call-end':
        if (open === event.index) {
          closeOpen()
          drain(force)
        } else if (!blocks.has(event.index)) queue.push(event) // its start is queued
        return
      case 'raw': {
        if (event.format !== FORMAT) return
        if (!canSwitch(force)) return void queue.push(event)
        const { input, ...start } = event.value
        const block: Block = { kind: 'text', wireIndex: -1, signed: false, arguments: '' }
        blocks.set(event.index, block)
        const takesInput = input !== undefined && typeof start.type === 'string' && start.type.endsWith('tool_use')
        openBlock(event.index, block, takesInput ? { ...start, input: {} } : event.value)
        if (takesInput) {
          send('content_block_delta', {
            index: block.wireIndex,
            delta: { type: 'input_json_delta', partial_json: typeof input === 'string' ? input : JSON.stringify(input) },
          })
        }
        closeOpen()
        return
      }
      default:
        return
    }
  }

  const end = () => {
    closeOpen()
    for (let round = 0; queue.length > 0 && round < 1000; round++) {
      drain(true)
      closeOpen()
    }
    ended = true
    const reason = finish?.finishReason ?? 'stop'
    const extension = finish?.extensions?.[FORMAT] ?? {}
    send('message_delta', {
      delta: {
        stop_reason: toAnthropicStopReason(reason, { rawReason: finish?.rawReason, stopSequence: finish?.stopSequence, toolCalled }),
        stop_sequence: finish?.stopSequence ?? null,
      },
      usage: encodeAnthropicUsage(usage),
      ...extension,
    })
    send('message_stop', {})
  }

  return {
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
          finish = event
          return
        case 'message-end':
          ensureStarted()
          return end()
        case 'error':
          ended = true
          return target(encodeAnthropicStreamError(event.error))
        default:
          ensureStarted()
          return handle(event)
      }
    },
    flush(emit) {
      target = emit
      if (ended) return
      target(encodeAnthropicStreamError(truncatedStream()))
    },
  }
}

