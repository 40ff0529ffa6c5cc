import { ProxyError } from '../../core/errors'
import type { ChatRequest, ContentPart, Message, ReasoningEffort, ResponseFormat, TextPart, ToolCallPart, ToolDefinition, ToolResultPart } from '../../core/ir'
import { isObject, parseArguments, pickUnknown, type JsonObject } from '../../core/json'
import type { ProviderTarget } from '../types'
import { decodeOllamaImage } from './images'

const FORMAT = 'ollama'

const knownFields = new Set(['model', 'messages', 'tools', 'format', 'options', 'stream', 'think'])
const knownOptions = new Set(['temperature', 'top_p', 'top_k', 'num_predict', 'stop', 'seed', 'presence_penalty', 'frequency_penalty'])

/** The deterministic id of the `position`-th tool call (Ollama tool calls carry no ids). */
export function ollamaCallId(position: number): string {
  return `call_${position}`
}

/** A tool call's arguments as the object Ollama wants (invalid JSON becomes `{}`). */
export function toArgumentsObject(text: string): JsonObject {
  return parseArguments(text) ?? {}
}

/** Ollama tool calls (`{function:{name, arguments}}`, arguments an object) → IR tool calls numbered from `first`. */
export function decodeOllamaToolCalls(calls: unknown, first: number): ToolCallPart[] {
  if (!Array.isArray(calls)) return []
  return (calls as JsonObject[]).filter(isObject).map((call, offset) => {
    const fn = (isObject(call.function) ? call.function : {}) as JsonObject
    const args = fn.arguments
    return {
      type: 'tool-call',
      // newer Ollama versions send an id; older ones none, so one is made from the call's position
      id: typeof call.id === 'string' && call.id.length > 0 ? call.id : ollamaCallId(first + offset),
      name: String(fn.name ?? ''),
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    }
  })
}

/**
 * Ollama `/api/chat` request → IR. `stream` defaults to TRUE in Ollama. Tool calls get ids
 * `call_<n>` counted over the whole conversation, and each `tool` message is matched to the
 * earliest unanswered call of the turn before it with the same `tool_name` (else by order).
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 */
export function decodeOllamaRequest(wire: unknown): ChatRequest {
  if (!isObject(wire) || (wire.messages !== undefined && !Array.isArray(wire.messages))) {
    throw new ProxyError('invalid_request', 'messages: an array is required', { param: 'messages' })
  }
  const system: TextPart[] = []
  const messages: Message[] = []
  let callCount = 0
  let pending: ToolCallPart[] = []
  for (const raw of (wire.messages ?? []) as JsonObject[]) {
    if (!isObject(raw)) throw new ProxyError('invalid_request', 'messages: each entry must be an object', { param: 'messages' })
    const text = typeof raw.content === 'string' ? raw.content : ''
    if (raw.role === 'system') {
      if (text.length > 0) system.push({ type: 'text', text })
    } else if (raw.role === 'user') {
      const content: ContentPart[] = text.length > 0 ? [{ type: 'text', text }] : []
      if (Array.isArray(raw.images)) for (const image of raw.images) if (typeof image === 'string') content.push(decodeOllamaImage(image))
      messages.push({ role: 'user', content })
    } else if (raw.role === 'assistant') {
      const content: ContentPart[] = []
      if (typeof raw.thinking === 'string' && raw.thinking.length > 0) content.push({ type: 'reasoning', text: raw.thinking })
      if (text.length > 0) content.push({ type: 'text', text })
      const calls = decodeOllamaToolCalls(raw.tool_calls, callCount)
      callCount += calls.length
      content.push(...calls)
      pending = calls
      messages.push({ role: 'assistant', content })
    } else if (raw.role === 'tool') {
      const name = typeof raw.tool_name === 'string' ? raw.tool_name : typeof raw.name === 'string' ? raw.name : undefined
      let call: ToolCallPart | undefined
      if (typeof raw.tool_call_id === 'string') call = pending.find((item) => item.id === raw.tool_call_id)
      call ??= (name !== undefined ? pending.find((item) => item.name === name) : undefined) ?? pending[0]
      if (call) pending = pending.filter((item) => item !== call)
      const result: ToolResultPart = {
        type: 'tool-result',
        callId: call?.id ?? (typeof raw.tool_call_id === 'string' ? raw.tool_call_id : ollamaCallId(callCount++)),
        content: text.length > 0 ? [{ type: 'text', text }] : [],
      }
      const resultName = name ?? call?.name
      if (resultName !== undefined) result.name = resultName
      const last = messages[messages.length - 1]
      if (last?.role === 'tool') last.content.push(result)
      else messages.push({ role: 'tool', content: [result] })
    } else {
      throw new ProxyError('invalid_request', `messages: unknown role ${JSON.stringify(raw.role)}`, { param: 'messages' })
    }
  }
  const request: ChatRequest = { model: String(wire.model ?? ''), system, messages, stream: wire.stream !== false, extensions: {} }
  const extension: JsonObject = {}
  if (Array.isArray(wire.tools)) {
    const tools: ToolDefinition[] = []
    for (const tool of wire.tools as JsonObject[]) {
      if (!isObject(tool) || !isObject(tool.function)) continue
      const fn = tool.function
      tools.push({
        name: String(fn.name ?? ''),
        ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
        parameters: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
      })
    }
    if (tools.length > 0) request.tools = tools
  }
  if (isObject(wire.options)) {
    const options = wire.options
    if (typeof options.temperature === 'number') request.temperature = options.temperature
    if (typeof options.top_p === 'number') request.topP = options.top_p
    if (typeof options.top_k === 'number') request.topK = options.top_k
    if (typeof options.num_predict === 'number' && options.num_predict >= 0) request.maxTokens = options.num_predict
    if (typeof options.stop === 'string') request.stop = [options.stop]
    else if (Array.isArray(options.stop)) request.stop = options.stop.map(String)
    if (typeof options.seed === 'number') request.seed = options.seed
    if (typeof options.presence_penalty === 'number') request.presencePenalty = options.presence_penalty
    if (typeof options.frequency_penalty === 'number') request.frequencyPenalty = options.frequency_penalty
    const rest = pickUnknown(options, knownOptions) ?? {}
    // -1 (unlimited) and -2 (fill the context) have no IR equivalent: kept for an Ollama upstream
    if (typeof options.num_predict === 'number' && options.num_predict < 0) rest.num_predict = options.num_predict
    if (Object.keys(rest).length > 0) extension.options = rest
  }
  const responseFormat = decodeFormat(wire.format)
  if (responseFormat) request.responseFormat = responseFormat
  if (typeof wire.think === 'boolean') request.reasoning = { enabled: wire.think }
  else if (typeof wire.think === 'string') {
    request.reasoning = { enabled: true, ...(['low', 'medium', 'high'].includes(wire.think) ? { effort: wire.think as ReasoningEffort } : {}) }
    extension.think = wire.think
  }
  const unknown = pickUnknown(wire, knownFields)
  if (unknown) Object.assign(extension, unknown)
  if (Object.keys(extension).length > 0) request.extensions[FORMAT] = extension
  return request
}

function decodeFormat(format: unknown): ResponseFormat | undefined {
  if (format === 'json') return { type: 'json' }
  if (isObject(format)) return { type: 'json-schema', schema: format }
  return undefined
}

/**
 * IR → Ollama `/api/chat` request. Content is flattened to a string, images to bare base64
 * (Ollama cannot fetch URLs, so URL images and non-text files are dropped), tool arguments to
 * objects, tool results to `tool` messages naming their tool. `stream` is always written, since
 * Ollama streams when it is absent.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 */
export function encodeOllamaRequest(request: ChatRequest, target: ProviderTarget): JsonObject {
  const extension = request.extensions[FORMAT] ?? {}
  const { options: extraOptions, think: rawThink, ...unknown } = extension
  const messages: JsonObject[] = []
  if (request.system.length > 0) messages.push({ role: 'system', content: request.system.map((part) => part.text).join('\n\n') })
  const namesByCall = new Map<string, string>()
  for (const message of request.messages) {
    if (message.role === 'tool') {
      for (const part of message.content) {
        if (part.type !== 'tool-result') continue
        const encoded: JsonObject = { role: 'tool', content: textOf(part.content, '\n') }
        const name = part.name ?? namesByCall.get(part.callId)
        if (name !== undefined) encoded.tool_name = name
        messages.push(encoded)
      }
    } else if (message.role === 'user') {
      const encoded: JsonObject = { role: 'user', content: textOf(message.content, '\n\n') }
      const images = message.content.flatMap((part) => (part.type === 'image' && part.source.type === 'base64' ? [part.source.data] : []))
      if (images.length > 0) encoded.images = images
      messages.push(encoded)
    } else {
      const encoded: JsonObject = { role: 'assistant', content: textOf(message.content, '') }
      const thinking = message.content.filter((part) => part.type === 'reasoning').map((part) => part.text).join('')
      if (thinking.length > 0) encoded.thinking = thinking
      const calls = message.content.filter((part): part is ToolCallPart => part.type === 'tool-call')
      if (calls.length > 0) {
        encoded.tool_calls = calls.map((call) => {
          namesByCall.set(call.id, call.name)
          return { function: { name: call.name, arguments: toArgumentsObject(call.arguments) } }
        })
      }
      messages.push(encoded)
    }
  }
  const body: JsonObject = { ...unknown, model: target.model, messages }
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), parameters: tool.parameters },
    }))
  }
  if (request.responseFormat?.type === 'json') body.format = 'json'
  else if (request.responseFormat?.type === 'json-schema') body.format = request.responseFormat.schema
  const options: JsonObject = { ...(isObject(extraOptions) ? extraOptions : {}) }
  if (request.temperature !== undefined) options.temperature = request.temperature
  if (request.topP !== undefined) options.top_p = request.topP
  if (request.topK !== undefined) options.top_k = request.topK
  if (request.maxTokens !== undefined) options.num_predict = request.maxTokens
  if (request.stop && request.stop.length > 0) options.stop = request.stop
  if (request.seed !== undefined) options.seed = request.seed
  if (request.presencePenalty !== undefined) options.presence_penalty = request.presencePenalty
  if (request.frequencyPenalty !== undefined) options.frequency_penalty = request.frequencyPenalty
  if (Object.keys(options).length > 0) body.options = options
  body.stream = request.stream
  // only gpt-oss takes a level; other thinking models take true/false
  if (typeof rawThink === 'string') body.think = rawThink
  else if (request.reasoning?.enabled !== undefined) body.think = request.reasoning.enabled
  else if (request.reasoning?.effort !== undefined || request.reasoning?.budgetTokens !== undefined) body.think = request.reasoning.effort !== 'none'
  return body
}

function textOf(parts: ContentPart[], separator: string): string {
  const texts: string[] = []
  for (const part of parts) {
    if (part.type === 'text') texts.push(part.text)
    else if (part.type === 'file' && part.source.type === 'text') texts.push(part.source.data)
  }
  return texts.join(separator)
}
