import { ProxyError } from '../../core/errors'
import type {
  ChatRequest,
  ContentPart,
  Message,
  ReasoningEffort,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
} from '../../core/ir'
import { isObject, pickUnknown, type JsonObject } from '../../core/json'
import type { ProviderTarget } from '../types'
import { decodeInputContent, decodeReasoningItem, encodeContentPart, encodeReasoningItem, FORMAT } from './content'

const knownFields = new Set([
  'model', 'input', 'instructions', 'tools', 'tool_choice', 'max_output_tokens', 'temperature', 'top_p',
  'parallel_tool_calls', 'reasoning', 'text', 'metadata', 'user', 'stream',
])

const efforts = new Set(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'])

/**
 * Responses API request body → IR. `instructions` and `system`/`developer` input messages become
 * system text; consecutive assistant-side items (messages, function calls, reasoning) form one
 * assistant turn and consecutive `function_call_output` items one tool turn. Hosted tools, item
 * types the IR does not model and Responses-only fields (`include`, `store`,
 * `previous_response_id`…) ride in `extensions['openai-responses']`.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export function decodeResponsesRequest(wire: unknown): ChatRequest {
  if (!isObject(wire)) throw new ProxyError('invalid_request', 'the request body must be a JSON object')
  if (wire.input !== undefined && typeof wire.input !== 'string' && !Array.isArray(wire.input)) {
    throw new ProxyError('invalid_request', 'input: a string or an array of items is required', { param: 'input' })
  }
  const system: TextPart[] = []
  if (typeof wire.instructions === 'string' && wire.instructions.length > 0) system.push({ type: 'text', text: wire.instructions })
  const messages = typeof wire.input === 'string'
    ? [{ role: 'user' as const, content: [{ type: 'text' as const, text: wire.input }] }]
    : decodeInputItems((wire.input ?? []) as unknown[], system)
  const request: ChatRequest = { model: String(wire.model ?? ''), system, messages, stream: wire.stream === true, extensions: {} }
  const extension: JsonObject = {}
  if (Array.isArray(wire.tools)) {
    const tools: ToolDefinition[] = []
    const builtin: unknown[] = []
    for (const tool of wire.tools as JsonObject[]) {
      if (isObject(tool) && tool.type === 'function' && typeof tool.name === 'string') tools.push(decodeTool(tool))
      else builtin.push(tool)
    }
    if (tools.length > 0) request.tools = tools
    if (builtin.length > 0) extension.builtinTools = builtin
  }
  const toolChoice = decodeToolChoice(wire.tool_choice)
  if (toolChoice) request.toolChoice = toolChoice
  else if (wire.tool_choice !== undefined) extension.toolChoice = wire.tool_choice
  if (typeof wire.parallel_tool_calls === 'boolean') request.parallelToolCalls = wire.parallel_tool_calls
  if (typeof wire.max_output_tokens === 'number') request.maxTokens = wire.max_output_tokens
  if (typeof wire.temperature === 'number') request.temperature = wire.temperature
  if (typeof wire.top_p === 'number') request.topP = wire.top_p
  if (isObject(wire.reasoning)) {
    const { effort, summary, ...rest } = wire.reasoning
    if (typeof effort === 'string' && efforts.has(effort)) {
      request.reasoning = { effort: effort as ReasoningEffort, enabled: effort !== 'none' }
    }
    if (typeof summary === 'string') {
      request.reasoning = { ...request.reasoning, includeThoughts: true }
      extension.reasoningSummary = summary
    }
    if (Object.keys(rest).length > 0) extension.reasoningExtra = rest
  }
  if (isObject(wire.text)) {
    const { format, ...rest } = wire.text
    const responseFormat = decodeTextFormat(format)
    if (responseFormat) request.responseFormat = responseFormat
    if (Object.keys(rest).length > 0) extension.textExtra = rest
  }
  if (isObject(wire.metadata)) request.metadata = wire.metadata as Record<string, string>
  if (typeof wire.user === 'string') request.user = wire.user
  const unknown = pickUnknown(wire, knownFields)
  if (unknown) Object.assign(extension, unknown)
  if (Object.keys(extension).length > 0) request.extensions[FORMAT] = extension
  return request
}

/** Decodes `input` items into IR messages (system/developer messages go to `system`). */
function decodeInputItems(items: unknown[], system: TextPart[]): Message[] {
  const messages: Message[] = []
  const namesByCall = new Map<string, string>()
  const turn = (role: Message['role']): Message => {
    const last = messages[messages.length - 1]
    if (last?.role === role && role !== 'user') return last
    const message: Message = { role, content: [] }
    messages.push(message)
    return message
  }
  for (const item of items as JsonObject[]) {
    if (!isObject(item)) throw new ProxyError('invalid_request', 'input: each item must be an object', { param: 'input' })
    // Droid CLI and the SDK's "easy" messages omit `type`
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined)
    if (type === 'message') {
      const role = item.role
      if (role === 'system' || role === 'developer') {
        for (const part of decodeInputContent(item.content)) {
          if (part.type === 'text') system.push({ type: 'text', text: part.text, extensions: { [FORMAT]: { role } } })
        }
      } else if (role === 'user') {
        messages.push({ role: 'user', content: decodeInputContent(item.content) })
      } else if (role === 'assistant') {
        const parts = decodeInputContent(item.content)
        if (typeof item.phase === 'string') {
          for (const part of parts) part.extensions = { [FORMAT]: { ...part.extensions?.[FORMAT], phase: item.phase } }
        }
        turn('assistant').content.push(...parts)
      } else {
        throw new ProxyError('invalid_request', `input: unknown message role ${JSON.stringify(role)}`, { param: 'input' })
      }
    } else if (type === 'function_call') {
      const callId = String(item.call_id ?? '')
      const name = String(item.name ?? '')
      namesByCall.set(callId, name)
      turn('assistant').content.push({
        type: 'tool-call',
        id: callId,
        name,
        arguments: typeof item.arguments === 'string' ? item.arguments : JSON.stringify(item.arguments ?? {}),
      })
    } else if (type === 'function_call_output') {
      const callId = String(item.call_id ?? '')
      const result: ToolResultPart = {
        type: 'tool-result',
        callId,
        content: typeof item.output === 'string'
          ? [{ type: 'text', text: item.output }]
          : Array.isArray(item.output) ? decodeInputContent(item.output) : [{ type: 'text', text: JSON.stringify(item.output ?? '') }],
      }
      const name = namesByCall.get(callId)
      if (name !== undefined) result.name = name
      turn('tool').content.push(result)
    } else if (type === 'reasoning') {
      turn('assistant').content.push(decodeReasoningItem(item))
    } else {
      // hosted-tool calls, custom tool calls, item references…: kept whole for a Responses upstream
      const raw: ContentPart = { type: 'raw', format: FORMAT, value: item }
      if (typeof type === 'string' && type.endsWith('_output')) messages.push({ role: 'user', content: [raw] })
      else turn('assistant').content.push(raw)
    }
  }
  return messages
}

function decodeTool(tool: JsonObject): ToolDefinition {
  const decoded: ToolDefinition = {
    name: String(tool.name),
    parameters: isObject(tool.parameters) ? tool.parameters : { type: 'object', properties: {} },
  }
  if (typeof tool.description === 'string') decoded.description = tool.description
  if (typeof tool.strict === 'boolean') decoded.strict = tool.strict
  return decoded
}

function decodeToolChoice(choice: unknown): ToolChoice | undefined {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return { type: choice }
  if (isObject(choice) && choice.type === 'function' && typeof choice.name === 'string') return { type: 'tool', name: choice.name }
  return undefined
}

function decodeTextFormat(format: unknown): ResponseFormat | undefined {
  if (!isObject(format)) return undefined
  if (format.type === 'text') return { type: 'text' }
  if (format.type === 'json_object') return { type: 'json' }
  if (format.type === 'json_schema') {
    return {
      type: 'json-schema',
      schema: isObject(format.schema) ? format.schema : {},
      ...(typeof format.name === 'string' ? { name: format.name } : {}),
      ...(typeof format.description === 'string' ? { description: format.description } : {}),
      ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
    }
  }
  return undefined
}

/**
 * IR → Responses API request body for an upstream. Function tools are sent with an explicit
 * `strict` (the Responses API defaults it to true, Chat Completions to false). Reasoning is sent
 * back only when it carries OpenAI's own `encrypted_content`; `stop`, `seed`, `top_k` and the
 * penalties have no Responses field and are dropped.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export function encodeResponsesRequest(request: ChatRequest, target: ProviderTarget): JsonObject {
  const extension = request.extensions[FORMAT] ?? {}
  const { builtinTools, toolChoice, reasoningSummary, reasoningExtra, textExtra, ...unknown } = extension
  const input: JsonObject[] = []
  const instructions: string[] = []
  for (const part of request.system) {
    const role = part.extensions?.[FORMAT]?.role
    if (role === 'system' || role === 'developer') input.push({ type: 'message', role, content: [{ type: 'input_text', text: part.text }] })
    else instructions.push(part.text)
  }
  for (const message of request.messages) encodeMessage(message, input)
  const body: JsonObject = { ...unknown, model: target.model }
  if (instructions.length > 0) body.instructions = instructions.join('\n\n')
  body.input = input
  const tools: unknown[] = (request.tools ?? []).map((tool) => ({
    type: 'function',
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    parameters: tool.parameters,
    strict: tool.strict ?? false,
  }))
  if (Array.isArray(builtinTools)) tools.push(...builtinTools)
  if (tools.length > 0) body.tools = tools
  if (toolChoice !== undefined) body.tool_choice = toolChoice
  else if (request.toolChoice) body.tool_choice = request.toolChoice.type === 'tool' ? { type: 'function', name: request.toolChoice.name } : request.toolChoice.type
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls
  if (request.maxTokens !== undefined) body.max_output_tokens = request.maxTokens
  if (request.temperature !== undefined) body.temperature = request.temperature
  if (request.topP !== undefined) body.top_p = request.topP
  const effort = encodeEffort(request)
  const summary = typeof reasoningSummary === 'string' ? reasoningSummary : request.reasoning?.includeThoughts ? 'auto' : undefined
  if (effort !== undefined || summary !== undefined || isObject(reasoningExtra)) {
    body.reasoning = { ...(isObject(reasoningExtra) ? reasoningExtra : {}), ...(effort !== undefined ? { effort } : {}), ...(summary !== undefined ? { summary } : {}) }
  }
  if (request.responseFormat || isObject(textExtra)) {
    body.text = { ...(request.responseFormat ? { format: encodeTextFormat(request.responseFormat) } : {}), ...(isObject(textExtra) ? textExtra : {}) }
  }
  if (request.metadata) body.metadata = request.metadata
  if (request.user !== undefined) body.user = request.user
  body.stream = request.stream
  return body
}

function encodeMessage(message: Message, input: JsonObject[]): void {
  if (message.role === 'tool') {
    for (const part of message.content) {
      if (part.type !== 'tool-result') continue
      const texts = part.content.every((item) => item.type === 'text')
      input.push({
        type: 'function_call_output',
        call_id: part.callId,
        output: texts
          ? part.content.map((item) => (item as TextPart).text).join('\n')
          : part.content.map((item) => encodeContentPart(item, 'user')).filter((item) => item !== undefined),
      })
    }
    return
  }
  const role = message.role
  let pending: JsonObject[] = []
  let pendingPhase: unknown
  const flush = () => {
    if (pending.length > 0) {
      const item: JsonObject = { type: 'message', role, content: pending }
      if (pendingPhase !== undefined) item.phase = pendingPhase
      input.push(item)
    }
    pending = []
    pendingPhase = undefined
  }
  for (const part of message.content) {
    if (part.type === 'text' || part.type === 'image' || part.type === 'file') {
      const phase = part.extensions?.[FORMAT]?.phase
      if (pending.length > 0 && phase !== pendingPhase) flush()
      const encoded = encodeContentPart(part, role)
      if (encoded) {
        pending.push(encoded)
        pendingPhase = phase
      }
      continue
    }
    flush()
    if (part.type === 'tool-call') {
      input.push({ type: 'function_call', call_id: part.id, name: part.name, arguments: part.arguments || '{}' })
    } else if (part.type === 'reasoning') {
      // only OpenAI's own encrypted reasoning can go back; an id without it would point at nothing
      if (part.origin === FORMAT && part.encrypted !== undefined) input.push(encodeReasoningItem(part, part.id))
    } else if (part.type === 'raw' && part.format === FORMAT) {
      input.push(part.value)
    }
  }
  flush()
}

function encodeEffort(request: ChatRequest): string | undefined {
  const reasoning = request.reasoning
  if (!reasoning) return undefined
  if (reasoning.enabled === false) return reasoning.effort === 'none' ? 'none' : undefined
  if (reasoning.effort) return reasoning.effort === 'max' ? 'xhigh' : reasoning.effort
  const budget = reasoning.budgetTokens
  if (budget === undefined) return undefined
  return budget <= 4096 ? 'low' : budget <= 12288 ? 'medium' : 'high'
}

function encodeTextFormat(format: ResponseFormat): JsonObject {
  if (format.type === 'text') return { type: 'text' }
  if (format.type === 'json') return { type: 'json_object' }
  return {
    type: 'json_schema',
    name: format.name ?? 'response',
    ...(format.description !== undefined ? { description: format.description } : {}),
    schema: format.schema,
    ...(format.strict !== undefined ? { strict: format.strict } : {}),
  }
}
