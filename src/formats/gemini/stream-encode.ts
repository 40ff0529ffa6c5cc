import { ProxyError } from '../../core/errors'
import type { EncodeContext } from '../../core/ids'
import { mergeUsage, type StreamError, type StreamEvent, type StreamEventOf, type Usage, truncatedStream } from '../../core/ir'
import { parseArguments, type JsonObject } from '../../core/json'
import type { Emit, SseEvent, StreamTransformer } from '../../core/sse'
import { encodeGeminiStreamError } from './errors'
import { toGeminiFinishReason } from './finish-reason'
import { encodeGeminiUsage } from './usage'

const FORMAT = 'gemini'
const head = '{"candidates":[{"content":{"parts":['

interface ReasoningBlock {
  /** The signature is Gemini's own and may be sent on. */
  signed: boolean
  thought: boolean
  signature: string
}

interface CallBlock {
  id: string
  name: string
  signature?: string
  arguments: string
}

/** Renders a stream error as Gemini's in-band error event (`@google/genai` wants a code in 400–599). */
function encodeStreamError(error: StreamError): SseEvent {
  const status = error.status >= 400 && error.status <= 599 ? error.status : 500
  return encodeGeminiStreamError(new ProxyError(error.kind, error.message, { status, code: error.code }))
}

/**
 * IR stream events → Gemini `streamGenerateContent?alt=sse` events: one `data:` line of a whole
 * `GenerateContentResponse` per part (no `[DONE]`), a function call sent whole once its arguments
 * are complete, a Gemini signature sent on an empty part when its block ends, and `finishReason` with
 * `usageMetadata` on the last event. Each delta costs one `JSON.stringify` of its text.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function createGeminiStreamEncoderTransformer(context: EncodeContext): StreamTransformer<StreamEvent, SseEvent> {
  let started = false
  let ended = false
  let tail = ''
  let model = ''
  let responseId = ''
  let usage: Usage | undefined
  let finish: StreamEventOf<'finish'> | undefined
  const reasoning = new Map<number, ReasoningBlock>()
  const calls = new Map<number, CallBlock>()
  let target: Emit<SseEvent>

  const ensureStarted = (event?: StreamEventOf<'message-start'>) => {
    if (started) return
    started = true
    model = context.model ?? event?.model ?? ''
    responseId = event?.id || context.ids('resp_')
    tail = `],"role":"model"},"index":0}],"modelVersion":${JSON.stringify(model)},"responseId":${JSON.stringify(responseId)}}`
  }
  const sendPart = (part: string) => target({ data: head + part + tail })

  const end = () => {
    ended = true
    const reason = finish ? toGeminiFinishReason(finish.finishReason, finish.rawReason) : 'STOP'
    const body: JsonObject = {
      candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: reason, index: 0 }],
    }
    if (usage) body.usageMetadata = encodeGeminiUsage(usage)
    body.modelVersion = model
    body.responseId = responseId
    target({ data: JSON.stringify(body) })
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
          return sendPart(`{"text":${JSON.stringify(event.text)}}`)
        case 'reasoning-start':
          ensureStarted()
          reasoning.set(event.index, { signed: event.origin === FORMAT, thought: false, signature: '' })
          return
        case 'reasoning-delta': {
          ensureStarted()
          const block = reasoning.get(event.index)
          if (block) block.thought = true
          return sendPart(`{"text":${JSON.stringify(event.text)},"thought":true}`)
        }
        case 'reasoning-signature': {
          const block = reasoning.get(event.index)
          if (block?.signed) block.signature += event.signature
          return
        }
        case 'reasoning-end': {
          const block = reasoning.get(event.index)
          reasoning.delete(event.index)
          if (!block || !block.signed || block.signature.length === 0) return
          const signature = JSON.stringify(block.signature)
          return sendPart(block.thought ? `{"text":"","thought":true,"thoughtSignature":${signature}}` : `{"text":"","thoughtSignature":${signature}}`)
        }
        case 'tool-call-start':
          ensureStarted()
          calls.set(event.index, { id: event.id, name: event.name, signature: event.signature, arguments: '' })
          return
        case 'tool-call-delta': {
          const call = calls.get(event.index)
          if (call) call.arguments += event.argumentsDelta
          return
        }
        case 'tool-call-end': {
          const call = calls.get(event.index)
          if (!call) return
          calls.delete(event.index)
          const part: JsonObject = { functionCall: { id: call.id, name: call.name, args: parseArguments(call.arguments) ?? {} } }
          if (call.signature) part.thoughtSignature = call.signature
          return sendPart(JSON.stringify(part))
        }
        case 'raw':
          ensureStarted()
          if (event.format === FORMAT) sendPart(JSON.stringify(event.value))
          return
        case 'usage':
          usage = mergeUsage(usage, event.usage)
          return
        case 'finish':
          finish = event
          return
        case 'error':
          ended = true
          return target(encodeStreamError(event.error))
        case 'message-end':
          ensureStarted()
          return end()
        default:
          return
      }
    },
    flush(emit) {
      target = emit
      if (ended) return
      target(encodeStreamError(truncatedStream()))
    },
  }
}

