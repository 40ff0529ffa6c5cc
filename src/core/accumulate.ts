import { ProxyError } from './errors'
import { mergeUsage, type ChatResponse, type OutputPart, type StreamEvent } from './ir'

/** Collects stream events into a response; `push` throws on an out-of-order event. */
export interface StreamAccumulator {
  push(event: StreamEvent): void
  /** The finished response; throws if `message-end` has not been seen. */
  result(): ChatResponse
}

const kindOfStart = { 'text-start': 'text', 'reasoning-start': 'reasoning', 'tool-call-start': 'tool-call' } as const

function orderError(message: string): ProxyError {
  return new ProxyError('upstream', `Unexpected event order: ${message}`)
}

/**
 * Builds a `ChatResponse` from IR stream events (a non-stream client served by a streaming
 * upstream). Parts keep their start order; an `error` event is thrown as a `ProxyError`.
 */
export function createStreamAccumulator(): StreamAccumulator {
  let response: ChatResponse | undefined
  let ended = false
  let finished = false
  const parts = new Map<number, OutputPart>()
  const open = new Set<number>()

  const openPart = (index: number, kind: string) => {
    const part = parts.get(index)
    if (!part || !open.has(index) || part.type !== kind) throw orderError(`no open ${kind} block ${index}`)
    return part
  }

  return {
    push(event) {
      if (event.type === 'error') {
        throw new ProxyError(event.error.kind, event.error.message, { status: event.error.status, code: event.error.code })
      }
      if (ended) throw orderError(`got ${event.type} after message-end`)
      if (!response) {
        if (event.type !== 'message-start') throw orderError(`got ${event.type} before message-start`)
        response = { id: event.id, model: event.model, content: [], finishReason: 'other', extensions: { ...event.extensions } }
        if (event.usage) response.usage = { ...event.usage }
        if (event.created !== undefined) response.created = event.created
        return
      }
      switch (event.type) {
        case 'message-start':
          throw orderError('a second message-start')
        case 'text-start':
        case 'reasoning-start':
        case 'tool-call-start': {
          if (parts.has(event.index)) throw orderError(`block ${event.index} started twice`)
          const kind = kindOfStart[event.type]
          if (kind === 'text') parts.set(event.index, { type: 'text', text: '' })
          else if (kind === 'tool-call' && event.type === 'tool-call-start') {
            parts.set(event.index, { type: 'tool-call', id: event.id, name: event.name, arguments: '', ...(event.signature ? { signature: event.signature } : {}) })
          } else if (event.type === 'reasoning-start') {
            parts.set(event.index, {
              type: 'reasoning',
              text: '',
              ...(event.redactedData !== undefined ? { redactedData: event.redactedData } : {}),
              ...(event.id !== undefined ? { id: event.id } : {}),
              ...(event.origin !== undefined ? { origin: event.origin } : {}),
            })
          }
          open.add(event.index)
          return
        }
        case 'text-delta': {
          const part = openPart(event.index, 'text')
          if (part.type === 'text') part.text += event.text
          return
        }
        case 'reasoning-delta': {
          const part = openPart(event.index, 'reasoning')
          if (part.type === 'reasoning') part.text += event.text
          return
        }
        case 'reasoning-signature': {
          const part = openPart(event.index, 'reasoning')
          if (part.type === 'reasoning') part.signature = (part.signature ?? '') + event.signature
          return
        }
        case 'tool-call-delta': {
          const part = openPart(event.index, 'tool-call')
          if (part.type === 'tool-call') part.arguments += event.argumentsDelta
          return
        }
        case 'text-end':
        case 'reasoning-end':
        case 'tool-call-end': {
          const part = openPart(event.index, event.type === 'text-end' ? 'text' : event.type === 'reasoning-end' ? 'reasoning' : 'tool-call')
          if (event.type === 'reasoning-end' && event.encrypted !== undefined && part.type === 'reasoning') part.encrypted = event.encrypted
          open.delete(event.index)
          return
        }
        case 'raw':
          if (parts.has(event.index)) throw orderError(`block ${event.index} started twice`)
          parts.set(event.index, { type: 'raw', format: event.format, value: event.value })
          return
        case 'usage':
          response.usage = mergeUsage(response.usage, event.usage)
          return
        case 'finish':
          if (finished) throw orderError('a second finish')
          finished = true
          response.finishReason = event.finishReason
          if (event.rawReason !== undefined) response.rawFinishReason = event.rawReason
          if (event.stopSequence !== undefined) response.stopSequence = event.stopSequence
          for (const [format, fields] of Object.entries(event.extensions ?? {})) {
            response.extensions[format as keyof ChatResponse['extensions']] = { ...response.extensions[format as keyof ChatResponse['extensions']], ...fields }
          }
          return
        case 'message-end':
          if (open.size > 0) throw orderError(`message-end with block ${[...open][0]} still open`)
          ended = true
          return
      }
    },
    result() {
      if (!response || !ended) throw orderError('the stream ended before message-end')
      response.content = [...parts.values()]
      return response
    },
  }
}

/** Folds a complete list of stream events into a `ChatResponse`. */
export function accumulateEvents(events: Iterable<StreamEvent>): ChatResponse {
  const accumulator = createStreamAccumulator()
  for (const event of events) accumulator.push(event)
  return accumulator.result()
}

/** Reads a stream of IR events to the end and folds it into a `ChatResponse`. */
export async function accumulateStream(events: ReadableStream<StreamEvent>): Promise<ChatResponse> {
  const accumulator = createStreamAccumulator()
  for await (const event of events) accumulator.push(event)
  return accumulator.result()
}
