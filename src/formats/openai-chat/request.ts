import { ProxyError } from '../../core/errors'
import type {
  ChatRequest,
  ContentPart,
  FilePart,
  ImagePart,
  Message,
  ReasoningEffort,
  ResponseFormat,
  TextPart,
  ToolCallPart,
  ToolChoice,
  ToolResultPart,
} from '../../core/ir'
import { isObject, pickUnknown, type JsonObject } from '../../core/json'
import { mediaSourceFromUrl, toDataUrl } from '../../core/media'
import type { ProviderTarget } from '../types'

const knownFields = new Set([
  'model', 'messages', 'tools', 'tool_choice', 'parallel_tool_calls', 'max_tokens', 'max_completion_tokens',
  'temperature', 'top_p', 'top_k', 'stop', 'seed', 'presence_penalty', 'frequency_penalty', 'stream',
  'stream_options', 'reasoning_effort', 'response_format', 'user', 'metadata',
])

const efforts = new Set(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'])

/**
 * OpenAI Chat Completions request body → IR.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export function decodeOpenAIChatRequest(wire: unknown): ChatRequest {
  if (!isObject(wire) || !Array.isArray(wire.messages)) {
    throw new ProxyError('invalid_request', 'messages: an array is required', { param: 'messages' })
  }
  const system: TextPart[] = []
  const messages: Message[] = []
  const extension: JsonObject = {}
  for (const raw of wire.messages as JsonObject[]) {
    if (!isObject(raw)) throw new ProxyError('invalid_request', 'messages: each entry must be an object')
    const role = raw.role
    if (role === 'system' || role === 'developer') {
      if (role === 'developer') extension.systemRole = 'developer'
      system.push(...decodeContent(raw.content).filter((part): part is TextPart => part.type === 'text'))
    } else if (role === 'user') {
      messages.push(withName({ role: 'user', content: decodeContent(raw.content) }, raw))
    } else if (role === 'assistant') {
      messages.push(withName({ role: 'assistant', content: decodeAssistant(raw) }, raw))
    } else if (role === 'tool' || role === 'function') {
      const result: ToolResultPart = {
        type: 'tool-result',
        callId: String(raw.tool_call_id ?? raw.name ?? ''),
        content: decodeContent(raw.content).filter((part): part is TextPart | ImagePart | FilePart =>
          part.type === 'text' || part.type === 'image' || part.type === 'file'),
      }
      if (typeof raw.name === 'string') result.name = raw.name
      const last = messages[messages.length - 1]
      if (last?.role === 'tool') last.content.push(result)
      else messages.push({ role: 'tool', content: [result] })
    } else {
      throw new ProxyError('invalid_request', `messages: unknown role ${JSON.stringify(role)}`)
    }
  }
  const request: ChatRequest = { model: String(wire.model ?? ''), system, messages, stream: wire.stream === true, extensions: {} }
  if (Array.isArray(wire.tools)) {
    request.tools = (wire.tools as JsonObject[])
      .filter((tool) => isObject(tool) && isObject(tool.function))
      .map((tool) => {
        const fn = tool.function as JsonObject
        return {
          name: String(fn.name),
          ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
          parameters: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
          ...(typeof fn.strict === 'boolean' ? { strict: fn.strict } : {}),
        }
      })
    const other = (wire.tools as unknown[]).filter((tool) => !isObject(tool) || !isObject(tool.function))
    if (other.length > 0) extension.builtinTools = other
  }
  const toolChoice = decodeToolChoice(wire.tool_choice)
  if (toolChoice) request.toolChoice = toolChoice
  if (typeof wire.parallel_tool_calls === 'boolean') request.parallelToolCalls = wire.parallel_tool_calls
  const maxTokens = wire.max_completion_tokens ?? wire.max_tokens
  if (typeof maxTokens === 'number') request.maxTokens = maxTokens
  if (typeof wire.max_completion_tokens === 'number') extension.maxTokensField = 'max_completion_tokens'
  if (typeof wire.temperature === 'number') request.temperature = wire.temperature
  if (typeof wire.top_p === 'number') request.topP = wire.top_p
  if (typeof wire.top_k === 'number') request.topK = wire.top_k
  if (typeof wire.stop === 'string') request.stop = [wire.stop]
  else if (Array.isArray(wire.stop)) request.stop = wire.stop.map(String)
  if (typeof wire.seed === 'number') request.seed = wire.seed
  if (typeof wire.presence_penalty === 'number') request.presencePenalty = wire.presence_penalty
  if (typeof wire.frequency_penalty === 'number') request.frequencyPenalty = wire.frequency_penalty
  if (isObject(wire.stream_options)) extension.streamOptions = wire.stream_options
  if (typeof wire.reasoning_effort === 'string' && efforts.has(wire.reasoning_effort)) {
    request.reasoning = { effort: wire.reasoning_effort as ReasoningEffort, enabled: wire.reasoning_effort !== 'none' }
  }
  const responseFormat = decodeResponseFormat(wire.response_format)
  if (responseFormat) request.responseFormat = responseFormat
  if (typeof wire.user === 'string') request.user = wire.user
  if (isObject(wire.metadata)) request.metadata = wire.metadata as Record<string, string>
  const unknown = pickUnknown(wire, knownFields)
  if (unknown) Object.assign(extension, unknown)
  if (Object.keys(extension).length > 0) request.extensions['openai-chat'] = extension
  return request
}

function withName(message: Message, raw: JsonObject): Message {
  if (typeof raw.name === 'string') message.name = raw.name
  return message
}

function decodeAssistant(raw: JsonObject): ContentPart[] {
  const parts: ContentPart[] = []
  // DeepSeek / Kimi / Qwen send reasoning back as `reasoning_content`; Groq and OpenRouter as `reasoning`
  const reasoning = raw.reasoning_content ?? raw.reasoning
  if (typeof reasoning === 'string' && reasoning.length > 0) parts.push({ type: 'reasoning', text: reasoning })
  parts.push(...decodeContent(raw.content))
  if (typeof raw.refusal === 'string' && raw.refusal.length > 0) parts.push({ type: 'text', text: raw.refusal })
  if (Array.isArray(raw.tool_calls)) {
    for (const call of raw.tool_calls as JsonObject[]) {
      const fn = (call.function ?? {}) as JsonObject
      const args = fn.arguments
      parts.push({
        type: 'tool-call',
        id: String(call.id ?? ''),
        name: String(fn.name ?? ''),
        arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
      })
    }
  }
  return parts
}

/** Decodes `content` (string, null or an array of parts). */
function decodeContent(content: unknown): ContentPart[] {
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : []
  if (!Array.isArray(content)) return []
  const parts: ContentPart[] = []
  for (const part of content as JsonObject[]) {
    if (!isObject(part)) continue
    const cacheControl = isObject(part.cache_control) ? { cacheControl: part.cache_control as { type: string } } : {}
    if (part.type === 'text' && typeof part.text === 'string') {
      parts.push({ type: 'text', text: part.text, ...cacheControl })
    } else if (part.type === 'image_url') {
      const image = (typeof part.image_url === 'string' ? { url: part.image_url } : part.image_url) as JsonObject
      const decoded: ImagePart = { type: 'image', source: mediaSourceFromUrl(String(image?.url ?? '')), ...cacheControl }
      if (typeof image?.detail === 'string') decoded.detail = image.detail
      parts.push(decoded)
    } else if (part.type === 'input_audio' && isObject(part.input_audio)) {
      const audio = part.input_audio
      parts.push({ type: 'file', source: { type: 'base64', mediaType: `audio/${audio.format}`, data: String(audio.data) } })
    } else if (part.type === 'file' && isObject(part.file)) {
      const file = part.file
      const decoded: FilePart =
        typeof file.file_data === 'string'
          ? { type: 'file', source: mediaSourceFromUrl(file.file_data) }
          : { type: 'file', source: { type: 'file-id', fileId: String(file.file_id) } }
      if (typeof file.filename === 'string') decoded.filename = file.filename
      parts.push(decoded)
    } else if (part.type === 'refusal' && typeof part.refusal === 'string') {
      parts.push({ type: 'text', text: part.refusal })
    }
  }
  return parts
}

function decodeToolChoice(choice: unknown): ToolChoice | undefined {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return { type: choice }
  if (isObject(choice) && isObject(choice.function)) return { type: 'tool', name: String(choice.function.name) }
  return undefined
}

function decodeResponseFormat(format: unknown): ResponseFormat | undefined {
  if (!isObject(format)) return undefined
  if (format.type === 'json_object') return { type: 'json' }
  if (format.type === 'text') return { type: 'text' }
  if (format.type === 'json_schema' && isObject(format.json_schema)) {
    const spec = format.json_schema
    return {
      type: 'json-schema',
      schema: isObject(spec.schema) ? spec.schema : {},
      ...(typeof spec.name === 'string' ? { name: spec.name } : {}),
      ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
      ...(typeof spec.strict === 'boolean' ? { strict: spec.strict } : {}),
    }
  }
  return undefined
}

/**
 * IR → OpenAI Chat Completions request body for an upstream.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export function encodeOpenAIChatRequest(request: ChatRequest, target: ProviderTarget): JsonObject {
  const extension = request.extensions['openai-chat'] ?? {}
  const messages: JsonObject[] = []
  if (request.system.length > 0) {
    const role = extension.systemRole === 'developer' ? 'developer' : 'system'
    const cached = request.system.some((part) => part.cacheControl)
    messages.push({
      role,
      content: cached ? request.system.map(encodeTextPart) : request.system.map((part) => part.text).join('\n\n'),
    })
  }
  for (const message of request.messages) messages.push(...encodeMessage(message, target))
  // A final assistant message is text to go on from (as in Anthropic's format), for upstreams that say so.
  const last = messages[messages.length - 1]
  if (target.prefillMember && request.messages.at(-1)?.role === 'assistant' && last.role === 'assistant' && !last.tool_calls) last[target.prefillMember] = true
  const { systemRole, maxTokensField, streamOptions, builtinTools, ...unknown } = extension
  const body: JsonObject = { ...unknown, model: target.model, messages }
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        parameters: tool.parameters,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      },
    }))
  }
  if (Array.isArray(builtinTools)) body.tools = [...((body.tools as unknown[]) ?? []), ...builtinTools]
  if (request.toolChoice) body.tool_choice = encodeToolChoice(request.toolChoice)
  if (request.parallelToolCalls !== undefined && body.tools) body.parallel_tool_calls = request.parallelToolCalls
  if (request.maxTokens !== undefined) {
    body[target.maxTokensField ?? (maxTokensField as string | undefined) ?? 'max_tokens'] = request.maxTokens
  }
  if (request.temperature !== undefined) body.temperature = request.temperature
  if (request.topP !== undefined) body.top_p = request.topP
  if (request.stop && request.stop.length > 0) body.stop = request.stop
  if (request.seed !== undefined) body.seed = request.seed
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty
  body.stream = request.stream
  if (request.stream && target.includeStreamUsage !== false) {
    body.stream_options = { ...(isObject(streamOptions) ? streamOptions : {}), include_usage: true }
  }
  const effort = encodeEffort(request)
  if (effort) body.reasoning_effort = effort
  if (request.responseFormat) body.response_format = encodeResponseFormat(request.responseFormat)
  if (request.user !== undefined) body.user = request.user
  if (request.metadata) body.metadata = request.metadata
  return body
}

function encodeTextPart(part: TextPart): JsonObject {
  return part.cacheControl ? { type: 'text', text: part.text, cache_control: part.cacheControl } : { type: 'text', text: part.text }
}

function encodeUserPart(part: ContentPart): JsonObject | undefined {
  if (part.type === 'text') return encodeTextPart(part)
  if (part.type === 'image') {
    const source = part.source
    const url = source.type === 'base64' ? toDataUrl(source.mediaType, source.data) : source.type === 'url' ? source.url : undefined
    if (url === undefined) return undefined
    return { type: 'image_url', image_url: part.detail ? { url, detail: part.detail } : { url } }
  }
  if (part.type === 'file') {
    const source = part.source
    if (source.type === 'text') return { type: 'text', text: source.data }
    if (source.type === 'file-id') return { type: 'file', file: { file_id: source.fileId } }
    if (source.type === 'base64' && source.mediaType.startsWith('audio/')) {
      return { type: 'input_audio', input_audio: { data: source.data, format: source.mediaType.slice(6) } }
    }
    if (source.type === 'base64') {
      return { type: 'file', file: { file_data: toDataUrl(source.mediaType, source.data), ...(part.filename ? { filename: part.filename } : {}) } }
    }
    return undefined
  }
  return undefined
}

function encodeMessage(message: Message, target: ProviderTarget): JsonObject[] {
  const name = message.name !== undefined ? { name: message.name } : {}
  if (message.role === 'tool') {
    return message.content
      .filter((part): part is ToolResultPart => part.type === 'tool-result')
      .map((part) => ({
        role: 'tool',
        tool_call_id: part.callId,
        content: part.content
          .filter((item): item is TextPart => item.type === 'text')
          .map((item) => item.text)
          .join('\n'),
      }))
  }
  if (message.role === 'user') {
    const parts = message.content.map(encodeUserPart).filter((part) => part !== undefined)
    const plain = parts.length === 1 && parts[0].type === 'text' && !parts[0].cache_control
    return [{ role: 'user', content: plain ? parts[0].text : parts, ...name }]
  }
  const text = message.content
    .filter((part): part is TextPart => part.type === 'text')
    .map((part) => part.text)
    .join('')
  const calls = message.content.filter((part): part is ToolCallPart => part.type === 'tool-call')
  const encoded: JsonObject = { role: 'assistant', content: text.length > 0 || calls.length === 0 ? text : null, ...name }
  if (calls.length > 0) {
    encoded.tool_calls = calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments || '{}' },
    }))
  }
  if (target.reasoningField) {
    const reasoning = message.content
      .filter((part) => part.type === 'reasoning')
      .map((part) => part.text)
      .join('')
    if (reasoning.length > 0) encoded[target.reasoningField] = reasoning
  }
  return [encoded]
}

function encodeToolChoice(choice: ToolChoice): unknown {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type
}

function encodeEffort(request: ChatRequest): string | undefined {
  const reasoning = request.reasoning
  if (!reasoning || reasoning.enabled === false) return reasoning?.effort === 'none' ? 'none' : undefined
  if (reasoning.effort) return reasoning.effort === 'max' ? 'xhigh' : reasoning.effort
  const budget = reasoning.budgetTokens
  if (budget === undefined) return undefined
  return budget <= 4096 ? 'low' : budget <= 12288 ? 'medium' : 'high'
}

function encodeResponseFormat(format: ResponseFormat): JsonObject {
  if (format.type === 'text') return { type: 'text' }
  if (format.type === 'json') return { type: 'json_object' }
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name ?? 'response',
      ...(format.description !== undefined ? { description: format.description } : {}),
      schema: format.schema,
      ...(format.strict !== undefined ? { strict: format.strict } : {}),
    },
  }
}
