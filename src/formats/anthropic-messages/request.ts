import { ProxyError } from '../../core/errors'
import type { ChatRequest, ContentPart, Message, ReasoningEffort, TextPart, ToolChoice } from '../../core/ir'
import { isObject, pickUnknown, type JsonObject } from '../../core/json'
import type { ProviderTarget } from '../types'
import { decodeAnthropicBlock, encodeAnthropicPart } from './content'

const FORMAT = 'anthropic-messages'

const knownFields = new Set([
  'model', 'system', 'messages', 'tools', 'tool_choice', 'max_tokens', 'temperature', 'top_p', 'top_k',
  'stop_sequences', 'stream', 'thinking', 'metadata', 'output_config',
])

/** Thinking budget per effort level when an upstream wants tokens, not a level. */
const budgetByEffort: Record<ReasoningEffort, number> = {
  none: 0, minimal: 1024, low: 4096, medium: 8192, high: 16384, xhigh: 32768, max: 32768,
}

/** `max_tokens` when neither the client nor the provider gave one (every current Claude model allows it). */
const fallbackMaxTokens = 8192

/**
 * Anthropic Messages request body → IR. A user turn holding `tool_result` blocks becomes a `tool`
 * message followed by a `user` message with the remaining blocks.
 * @see https://docs.anthropic.com/en/api/messages
 */
export function decodeAnthropicRequest(wire: unknown): ChatRequest {
  if (!isObject(wire) || !Array.isArray(wire.messages)) {
    throw new ProxyError('invalid_request', 'messages: Field required', { param: 'messages' })
  }
  const system: TextPart[] =
    typeof wire.system === 'string'
      ? wire.system.length > 0 ? [{ type: 'text', text: wire.system }] : []
      : Array.isArray(wire.system)
        ? (wire.system as JsonObject[]).map(decodeAnthropicBlock).filter((part): part is TextPart => part.type === 'text')
        : []
  const messages: Message[] = []
  for (const raw of wire.messages as JsonObject[]) {
    if (!isObject(raw) || (raw.role !== 'user' && raw.role !== 'assistant')) {
      throw new ProxyError('invalid_request', 'messages: each entry needs role "user" or "assistant"')
    }
    const blocks: ContentPart[] = typeof raw.content === 'string'
      ? [{ type: 'text', text: raw.content }]
      : Array.isArray(raw.content) ? (raw.content as JsonObject[]).filter(isObject).map(decodeAnthropicBlock) : []
    if (raw.role === 'assistant') {
      messages.push({ role: 'assistant', content: blocks })
      continue
    }
    const results = blocks.filter((part) => part.type === 'tool-result')
    const rest = blocks.filter((part) => part.type !== 'tool-result')
    if (results.length > 0) messages.push({ role: 'tool', content: results })
    if (rest.length > 0 || results.length === 0) messages.push({ role: 'user', content: rest })
  }
  const request: ChatRequest = { model: String(wire.model ?? ''), system, messages, stream: wire.stream === true, extensions: {} }
  const extension: JsonObject = {}
  if (Array.isArray(wire.tools)) {
    const tools = wire.tools as JsonObject[]
    const custom = tools.filter((tool) => isObject(tool) && (tool.type === undefined || tool.type === 'custom'))
    request.tools = custom.map((tool) => ({
      name: String(tool.name),
      ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
      parameters: isObject(tool.input_schema) ? tool.input_schema : { type: 'object', properties: {} },
      ...(isObject(tool.cache_control) ? { cacheControl: tool.cache_control as { type: string } } : {}),
    }))
    const builtin = tools.filter((tool) => !custom.includes(tool))
    if (builtin.length > 0) extension.serverTools = builtin
  }
  if (isObject(wire.tool_choice)) {
    const choice = wire.tool_choice
    const decoded: ToolChoice | undefined =
      choice.type === 'auto' ? { type: 'auto' }
        : choice.type === 'any' ? { type: 'required' }
          : choice.type === 'none' ? { type: 'none' }
            : choice.type === 'tool' ? { type: 'tool', name: String(choice.name) } : undefined
    if (decoded) request.toolChoice = decoded
    if (choice.disable_parallel_tool_use === true) request.parallelToolCalls = false
  }
  if (typeof wire.max_tokens === 'number') request.maxTokens = wire.max_tokens
  if (typeof wire.temperature === 'number') request.temperature = wire.temperature
  if (typeof wire.top_p === 'number') request.topP = wire.top_p
  if (typeof wire.top_k === 'number') request.topK = wire.top_k
  if (Array.isArray(wire.stop_sequences)) request.stop = wire.stop_sequences.map(String)
  if (isObject(wire.thinking)) {
    const thinking = wire.thinking
    if (thinking.type === 'enabled') {
      request.reasoning = { enabled: true, ...(typeof thinking.budget_tokens === 'number' ? { budgetTokens: thinking.budget_tokens } : {}) }
    } else if (thinking.type === 'disabled') request.reasoning = { enabled: false }
    else if (thinking.type === 'adaptive') request.reasoning = { enabled: true }
    if (thinking.type !== 'enabled' && thinking.type !== 'disabled') extension.thinking = thinking
  }
  if (isObject(wire.output_config)) {
    extension.outputConfig = wire.output_config
    const effort = wire.output_config.effort
    if (typeof effort === 'string') request.reasoning = { ...request.reasoning, effort: effort as ReasoningEffort }
  }
  if (isObject(wire.metadata)) {
    const { user_id: userId, ...otherMetadata } = wire.metadata
    if (typeof userId === 'string') request.user = userId
    if (Object.keys(otherMetadata).length > 0) extension.metadata = otherMetadata
  }
  const unknown = pickUnknown(wire, knownFields)
  if (unknown) Object.assign(extension, unknown)
  if (Object.keys(extension).length > 0) request.extensions[FORMAT] = extension
  return request
}

/**
 * IR → Anthropic Messages request body. Consecutive `tool`/`user` messages merge into one user
 * turn (results first); reasoning without an Anthropic signature is left out, never forged.
 * @see https://docs.anthropic.com/en/api/messages
 */
export function encodeAnthropicRequest(request: ChatRequest, target: ProviderTarget): JsonObject {
  const extension = request.extensions[FORMAT] ?? {}
  const { serverTools, thinking: rawThinking, outputConfig, metadata: rawMetadata, ...unknown } = extension
  const messages: JsonObject[] = []
  for (const message of request.messages) {
    const role = message.role === 'assistant' ? 'assistant' : 'user'
    const blocks = message.content.map(encodeAnthropicPart).filter((block) => block !== undefined)
    if (blocks.length === 0) continue
    const last = messages[messages.length - 1]
    if (last && last.role === role) (last.content as JsonObject[]).push(...blocks)
    else messages.push({ role, content: blocks })
  }
  const body: JsonObject = { ...unknown, model: target.model, messages }
  if (request.system.length > 0) {
    const cached = request.system.some((part) => part.cacheControl || part.extensions)
    body.system = cached || request.system.length > 1 ? request.system.map(encodeAnthropicPart) : request.system[0].text
  }
  const thinking = isObject(rawThinking) ? rawThinking : encodeThinking(request, isObject(outputConfig))
  let maxTokens = request.maxTokens ?? target.defaultMaxTokens ?? fallbackMaxTokens
  if (thinking?.type === 'enabled' && (thinking.budget_tokens as number) >= maxTokens) {
    maxTokens = (thinking.budget_tokens as number) + fallbackMaxTokens
  }
  body.max_tokens = maxTokens
  if (thinking) body.thinking = thinking
  const thinkingOn = body.thinking !== undefined && (body.thinking as JsonObject).type !== 'disabled'
  // with thinking on, Anthropic rejects temperature ≠ 1, top_k, and top_p < 0.95
  if (request.temperature !== undefined && !thinkingOn) body.temperature = Math.min(1, request.temperature)
  if (request.topP !== undefined && !thinkingOn) body.top_p = request.topP
  if (request.topK !== undefined && !thinkingOn) body.top_k = request.topK
  if (request.stop && request.stop.length > 0) body.stop_sequences = request.stop
  body.stream = request.stream
  const tools: JsonObject[] = (request.tools ?? []).map((tool) => {
    const encoded: JsonObject = { name: tool.name }
    if (tool.description !== undefined) encoded.description = tool.description
    encoded.input_schema = tool.parameters
    if (tool.cacheControl) encoded.cache_control = tool.cacheControl
    return encoded
  })
  if (Array.isArray(serverTools)) tools.push(...(serverTools as JsonObject[]))
  if (tools.length > 0) {
    body.tools = tools
    const choice = request.toolChoice
    const encodedChoice: JsonObject | undefined =
      choice?.type === 'required' ? { type: 'any' }
        : choice?.type === 'tool' ? { type: 'tool', name: choice.name }
          : choice ? { type: choice.type } : undefined
    if (request.parallelToolCalls === false) body.tool_choice = { ...(encodedChoice ?? { type: 'auto' }), disable_parallel_tool_use: true }
    else if (encodedChoice) body.tool_choice = encodedChoice
  }
  if (isObject(outputConfig)) body.output_config = outputConfig
  if (request.user !== undefined || isObject(rawMetadata)) {
    body.metadata = { ...(isObject(rawMetadata) ? rawMetadata : {}), ...(request.user !== undefined ? { user_id: request.user } : {}) }
  }
  return body
}

/** IR reasoning → `thinking`; an effort already sent as `output_config.effort` is not turned into a budget. */
function encodeThinking(request: ChatRequest, effortSentElsewhere: boolean): JsonObject | undefined {
  const reasoning = request.reasoning
  if (!reasoning) return undefined
  if (reasoning.enabled === false || reasoning.effort === 'none') return { type: 'disabled' }
  const effort = effortSentElsewhere ? undefined : reasoning.effort
  const budget = reasoning.budgetTokens ?? (effort ? budgetByEffort[effort] : undefined)
  if (budget !== undefined) return { type: 'enabled', budget_tokens: Math.max(1024, budget) }
  return undefined
}
