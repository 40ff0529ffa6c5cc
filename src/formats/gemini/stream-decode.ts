import { type StreamError, type StreamEvent, truncatedStream, invalidJsonEvent } from '../../core/ir'
import { isObject, type JsonObject } from '../../core/json'
import type { Emit, SseEvent, StreamTransformer } from '../../core/sse'
import { decodeGeminiStreamError } from './errors'
import { mapGeminiFinishReason } from './finish-reason'
import { readCreateTime, toolCallIdPrefix } from './response'
import { decodeGeminiUsage, hasUsage, type GeminiUsage } from './usage'

const FORMAT = 'gemini'

/** A function call whose arguments Gemini streams as `partialArgs` (Vertex `streamFunctionCallArguments`). */
interface StreamedCall {
  index: number
  args: JsonObject
  /** Path and text so far of a string argument still being continued (`willContinue`). */
  stringPath?: string
  stringValue?: string
}

const pathSegment = /\.([^.[\]]+)|\[(\d+)\]|\[['"]((?:[^'"\\]|\\.)*)['"]\]/y

/** Sets `value` at a JSONPath such as `$.a.b[0]['c']` inside `root`, creating objects and arrays on the way. */
function setAtPath(root: JsonObject, path: string, value: unknown): void {
  if (!path.startsWith('$')) return
  const segments: Array<string | number> = []
  pathSegment.lastIndex = 1
  while (pathSegment.lastIndex < path.length) {
    const match = pathSegment.exec(path)
    if (!match) return
    segments.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : match[3]))
  }
  if (segments.length === 0) return
  let node = root as Record<string | number, unknown>
  for (let position = 0; position < segments.length - 1; position++) {
    const key = segments[position]
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = typeof segments[position + 1] === 'number' ? [] : {}
    node = node[key] as Record<string | number, unknown>
  }
  node[segments[segments.length - 1]] = value
}

function applyPartialArgs(call: StreamedCall, partials: unknown[]): void {
  for (const partial of partials) {
    if (!isObject(partial) || typeof partial.jsonPath !== 'string') continue
    const path = partial.jsonPath
    let value: unknown
    if (partial.stringValue !== undefined) {
      const text = call.stringPath === path ? call.stringValue + String(partial.stringValue) : String(partial.stringValue)
      call.stringPath = partial.willContinue === true ? path : undefined
      call.stringValue = text
      value = text
    } else {
      call.stringPath = undefined
      if (partial.numberValue !== undefined) value = partial.numberValue
      else if (partial.boolValue !== undefined) value = partial.boolValue
      else if (partial.nullValue !== undefined) value = null
      else if (partial.structValue !== undefined) value = partial.structValue
      else if (partial.listValue !== undefined) value = partial.listValue
      else continue
    }
    setAtPath(call.args, path, value)
  }
}

/**
 * Gemini `streamGenerateContent?alt=sse` events → IR stream events. Each event is a whole
 * `GenerateContentResponse`: text and thought parts stream as deltas, a `functionCall` comes whole
 * (or, on Vertex, as `partialArgs` pieces gathered until the call ends), a `thoughtSignature` on a
 * non-thought part becomes a signature-only reasoning block, `usageMetadata` repeats (the last one
 * wins, reported once before `finish`), and a stream without `finishReason` is a truncation error.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function createGeminiStreamDecoderTransformer(): StreamTransformer<SseEvent, StreamEvent> {
  let started = false
  let finished = false
  let ended = false
  let nextIndex = 0
  let textIndex = -1
  let reasoningIndex = -1
  let callPrefix = ''
  let calls = 0
  let streamed: StreamedCall | undefined
  let usage: GeminiUsage | undefined
  let target: Emit<StreamEvent>

  const closeText = () => {
    if (textIndex === -1) return
    target({ type: 'text-end', index: textIndex })
    textIndex = -1
  }
  const closeReasoning = () => {
    if (reasoningIndex === -1) return
    target({ type: 'reasoning-end', index: reasoningIndex })
    reasoningIndex = -1
  }
  const endStreamedCall = () => {
    if (!streamed) return
    target({ type: 'tool-call-delta', index: streamed.index, argumentsDelta: JSON.stringify(streamed.args) })
    target({ type: 'tool-call-end', index: streamed.index })
    streamed = undefined
  }
  const reportUsage = () => {
    if (!usage) return
    const decoded = decodeGeminiUsage(usage)
    usage = undefined
    if (hasUsage(decoded)) target({ type: 'usage', usage: decoded })
  }
  const fail = (error: StreamError) => {
    reportUsage()
    ended = true
    target({ type: 'error', error })
  }
  const finish = (reason: string, unified = mapGeminiFinishReason(reason, calls > 0)) => {
    endStreamedCall()
    closeReasoning()
    closeText()
    reportUsage()
    finished = true
    target({ type: 'finish', finishReason: unified, rawReason: reason })
  }

  const handleCall = (call: JsonObject, signature: string | undefined) => {
    if (typeof call.name === 'string' && call.name.length > 0) {
      endStreamedCall()
      closeReasoning()
      closeText()
      const index = nextIndex++
      const id = typeof call.id === 'string' && call.id.length > 0 ? call.id : callPrefix + calls
      calls++
      target(signature ? { type: 'tool-call-start', index, id, name: call.name, signature } : { type: 'tool-call-start', index, id, name: call.name })
      if (call.willContinue === true) {
        streamed = { index, args: isObject(call.args) ? { ...call.args } : {} }
        if (Array.isArray(call.partialArgs)) applyPartialArgs(streamed, call.partialArgs)
        return
      }
      target({ type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(isObject(call.args) ? call.args : {}) })
      target({ type: 'tool-call-end', index })
      return
    }
    if (!streamed) return
    if (isObject(call.args)) Object.assign(streamed.args, call.args)
    if (Array.isArray(call.partialArgs)) applyPartialArgs(streamed, call.partialArgs)
    if (call.willContinue !== true) endStreamedCall()
  }

  const handlePart = (part: JsonObject) => {
    const signature = typeof part.thoughtSignature === 'string' && part.thoughtSignature.length > 0 ? part.thoughtSignature : undefined
    if (isObject(part.functionCall)) return handleCall(part.functionCall, signature)
    endStreamedCall()
    const text = part.text
    if (typeof text === 'string' && part.thought === true) {
      closeText()
      if (text.length === 0 && !signature) return
      if (reasoningIndex === -1) {
        reasoningIndex = nextIndex++
        target({ type: 'reasoning-start', index: reasoningIndex, origin: FORMAT })
      }
      if (text.length > 0) target({ type: 'reasoning-delta', index: reasoningIndex, text })
      if (signature) {
        target({ type: 'reasoning-signature', index: reasoningIndex, signature })
        closeReasoning()
      }
      return
    }
    if (typeof text === 'string') {
      if (text.length > 0) {
        closeReasoning()
        if (textIndex === -1) {
          textIndex = nextIndex++
          target({ type: 'text-start', index: textIndex })
        }
        target({ type: 'text-delta', index: textIndex, text })
      }
      if (!signature) return
      closeReasoning()
      closeText()
      const index = nextIndex++
      target({ type: 'reasoning-start', index, origin: FORMAT })
      target({ type: 'reasoning-signature', index, signature })
      target({ type: 'reasoning-end', index })
      return
    }
    // inline data, executable code, code results…: whole blocks only Gemini understands
    closeReasoning()
    closeText()
    target({ type: 'raw', index: nextIndex++, format: FORMAT, value: part })
  }

  const handleChunk = (chunk: unknown) => {
    if (ended || !isObject(chunk)) return
    if (chunk.error !== undefined && chunk.error !== null) return fail(decodeGeminiStreamError(chunk.error))
    if (!started) {
      started = true
      const id = typeof chunk.responseId === 'string' ? chunk.responseId : ''
      callPrefix = toolCallIdPrefix(id)
      const start: StreamEvent = { type: 'message-start', id, model: typeof chunk.modelVersion === 'string' ? chunk.modelVersion : '' }
      const created = readCreateTime(chunk.createTime)
      if (created !== undefined) start.created = created
      target(start)
    }
    if (isObject(chunk.usageMetadata)) usage = chunk.usageMetadata as GeminiUsage
    const candidates = chunk.candidates
    const candidate = Array.isArray(candidates) ? (candidates[0] as JsonObject | undefined) : undefined
    if (!finished && isObject(candidate) && (candidate.index ?? 0) === 0) {
      const parts = isObject(candidate.content) ? candidate.content.parts : undefined
      if (Array.isArray(parts)) for (let position = 0; position < parts.length; position++) if (isObject(parts[position])) handlePart(parts[position])
      if (typeof candidate.finishReason === 'string') finish(candidate.finishReason)
    } else if (!finished && !candidate && isObject(chunk.promptFeedback) && typeof chunk.promptFeedback.blockReason === 'string') {
      finish(chunk.promptFeedback.blockReason, 'content-filter')
    }
    if (finished) reportUsage()
  }

  return {
    transform(event, emit) {
      target = emit
      if (ended || event.data === '[DONE]') return
      let chunk: unknown
      try {
        chunk = JSON.parse(event.data)
      } catch {
        return fail(invalidJsonEvent(event.data))
      }
      if (Array.isArray(chunk)) for (const item of chunk) handleChunk(item)
      else handleChunk(chunk)
    },
    flush(emit) {
      target = emit
      if (ended) return
      if (!started) return fail({ status: 502, kind: 'upstream', message: 'upstream stream was empty' })
      if (!finished) return fail(truncatedStream())
      reportUsage()
      ended = true
      target({ type: 'message-end' })
    },
  }
}

