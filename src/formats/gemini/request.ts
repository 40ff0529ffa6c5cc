import { ProxyError } from '../../core/errors'
import type {
  ChatRequest,
  ContentPart,
  Message,
  ReasoningConfig,
  ReasoningEffort,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolDefinition,
} from '../../core/ir'
import { isObject, pickUnknown, type JsonObject } from '../../core/json'
import type { ProviderTarget } from '../types'
import { decodeGeminiPart, encodeGeminiParts, type PartDecodeOptions } from './content'
import { cleanGeminiSchema } from './schema'

const FORMAT = 'gemini'

const knownFields = new Set(['model', 'contents', 'systemInstruction', 'system_instruction', 'tools', 'toolConfig', 'generationConfig'])
const knownGenerationFields = new Set([
  'maxOutputTokens', 'temperature', 'topP', 'topK', 'stopSequences', 'seed', 'presencePenalty', 'frequencyPenalty',
  'responseMimeType', 'responseSchema', 'responseJsonSchema', 'thinkingConfig',
])
const knownDeclarationFields = new Set(['name', 'description', 'parameters', 'parametersJsonSchema'])
const efforts = new Set(['minimal', 'low', 'medium', 'high'])

/** Thinking budget per effort level for Gemini 2.x models, which take tokens rather than a level. */
const budgetByEffort: Record<ReasoningEffort, number> = {
  none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: 32768, max: 32768,
}

/**
 * Gemini `generateContent` request body → IR. The model and the stream flag live in the URL, so
 * `model` is `''` and `stream` false until the route sets them. Calls without ids get
 * `call_<content>_<part>`; a result without an id takes the id of the earliest unanswered call of
 * the same name. A content holding `functionResponse`s becomes a `tool` message (then a `user` one
 * for its other parts).
 * @see https://ai.google.dev/api/generate-content#request-body
 */
export function decodeGeminiRequest(wire: unknown): ChatRequest {
  if (!isObject(wire) || !Array.isArray(wire.contents)) {
    throw new ProxyError('invalid_request', 'contents: an array is required', { param: 'contents' })
  }
  const extension: JsonObject = {}
  const system: TextPart[] = []
  const instruction = wire.systemInstruction ?? wire.system_instruction
  if (typeof instruction === 'string' && instruction.length > 0) system.push({ type: 'text', text: instruction })
  else if (isObject(instruction)) {
    for (const part of Array.isArray(instruction.parts) ? instruction.parts : []) {
      if (isObject(part) && typeof part.text === 'string') system.push({ type: 'text', text: part.text })
    }
    if (typeof instruction.role === 'string') extension.systemRole = instruction.role
  }
  const request: ChatRequest = { model: '', system, messages: decodeContents(wire.contents), stream: false, extensions: {} }
  if (Array.isArray(wire.tools)) {
    const definitions: ToolDefinition[] = []
    const builtin: unknown[] = []
    for (const tool of wire.tools as unknown[]) {
      const declarations = isObject(tool) ? (tool.functionDeclarations ?? tool.function_declarations) : undefined
      if (!Array.isArray(declarations)) {
        builtin.push(tool)
        continue
      }
      for (const declaration of declarations) if (isObject(declaration)) definitions.push(decodeDeclaration(declaration))
      const rest = pickUnknown(tool as JsonObject, new Set(['functionDeclarations', 'function_declarations']))
      if (rest) builtin.push(rest)
    }
    if (definitions.length > 0) request.tools = definitions
    if (builtin.length > 0) extension.builtinTools = builtin
  }
  if (isObject(wire.toolConfig)) decodeToolConfig(wire.toolConfig, request, extension)
  if (isObject(wire.generationConfig)) decodeGenerationConfig(wire.generationConfig, request, extension)
  const unknown = pickUnknown(wire, knownFields)
  if (unknown) Object.assign(extension, unknown)
  if (Object.keys(extension).length > 0) request.extensions[FORMAT] = extension
  return request
}

function decodeContents(contents: unknown[]): Message[] {
  const messages: Message[] = []
  const unanswered: Array<{ name: string; id: string }> = []
  let messageIndex = 0
  let partIndex = 0
  const options: PartDecodeOptions = {
    callId: () => `call_${messageIndex}_${partIndex}`,
    resultId(name) {
      const position = unanswered.findIndex((call) => call.name === name)
      return position === -1 ? `call_${messageIndex}_${partIndex}` : unanswered.splice(position, 1)[0].id
    },
    markNativeIds: true,
  }
  for (; messageIndex < contents.length; messageIndex++) {
    const content = contents[messageIndex]
    if (!isObject(content)) throw new ProxyError('invalid_request', 'contents: each entry must be an object')
    const decoded: ContentPart[] = []
    const parts = Array.isArray(content.parts) ? content.parts : []
    for (partIndex = 0; partIndex < parts.length; partIndex++) {
      const part = parts[partIndex]
      if (!isObject(part)) continue
      for (const item of decodeGeminiPart(part, options)) {
        if (item.type === 'tool-call') unanswered.push({ name: item.name, id: item.id })
        else if (item.type === 'tool-result') {
          const position = unanswered.findIndex((call) => call.id === item.callId)
          if (position !== -1) unanswered.splice(position, 1)
        }
        decoded.push(item)
      }
    }
    if (content.role === 'model') {
      messages.push({ role: 'assistant', content: decoded })
      continue
    }
    const results = decoded.filter((part) => part.type === 'tool-result')
    const rest = decoded.filter((part) => part.type !== 'tool-result')
    if (results.length > 0) {
      const message: Message = { role: 'tool', content: results }
      if (content.role === 'function') message.extensions = { [FORMAT]: { role: 'function' } }
      messages.push(message)
    }
    if (rest.length > 0 || results.length === 0) messages.push({ role: 'user', content: rest })
  }
  return messages
}

function decodeDeclaration(declaration: JsonObject): ToolDefinition {
  const tool: ToolDefinition = { name: String(declaration.name ?? ''), parameters: { type: 'object', properties: {} } }
  if (typeof declaration.description === 'string') tool.description = declaration.description
  const extension: JsonObject = {}
  if (isObject(declaration.parametersJsonSchema)) {
    tool.parameters = declaration.parametersJsonSchema
    extension.parametersField = 'parametersJsonSchema'
  } else if (isObject(declaration.parameters)) tool.parameters = declaration.parameters
  else extension.noParameters = true
  const rest = pickUnknown(declaration, knownDeclarationFields)
  if (rest) extension.declaration = rest
  if (Object.keys(extension).length > 0) tool.extensions = { [FORMAT]: extension }
  return tool
}

function decodeToolConfig(config: JsonObject, request: ChatRequest, extension: JsonObject): void {
  const { functionCallingConfig, ...others } = config
  const leftover: JsonObject = { ...others }
  if (isObject(functionCallingConfig)) {
    const { mode: rawMode, allowedFunctionNames, ...otherCalling } = functionCallingConfig
    const mode = typeof rawMode === 'string' ? rawMode.toUpperCase() : undefined
    const names = Array.isArray(allowedFunctionNames) ? allowedFunctionNames.map(String) : undefined
    const calling: JsonObject = { ...otherCalling }
    if (mode === 'AUTO') request.toolChoice = { type: 'auto' }
    else if (mode === 'NONE') request.toolChoice = { type: 'none' }
    else if (mode === 'ANY') request.toolChoice = names?.length === 1 ? { type: 'tool', name: names[0] } : { type: 'required' }
    else if (rawMode !== undefined) calling.mode = rawMode
    if (names && !(mode === 'ANY' && names.length === 1)) calling.allowedFunctionNames = names
    if (Object.keys(calling).length > 0) leftover.functionCallingConfig = calling
  }
  if (Object.keys(leftover).length > 0) extension.toolConfig = leftover
}

function decodeGenerationConfig(config: JsonObject, request: ChatRequest, extension: JsonObject): void {
  const leftover: JsonObject = pickUnknown(config, knownGenerationFields) ?? {}
  if (typeof config.maxOutputTokens === 'number') request.maxTokens = config.maxOutputTokens
  if (typeof config.temperature === 'number') request.temperature = config.temperature
  if (typeof config.topP === 'number') request.topP = config.topP
  if (typeof config.topK === 'number') request.topK = config.topK
  if (Array.isArray(config.stopSequences)) request.stop = config.stopSequences.map(String)
  if (typeof config.seed === 'number') request.seed = config.seed
  if (typeof config.presencePenalty === 'number') request.presencePenalty = config.presencePenalty
  if (typeof config.frequencyPenalty === 'number') request.frequencyPenalty = config.frequencyPenalty
  const schema = config.responseJsonSchema ?? config.responseSchema
  if (config.responseMimeType === 'application/json') {
    request.responseFormat = isObject(schema) ? { type: 'json-schema', schema } : { type: 'json' }
    if (isObject(config.responseJsonSchema)) extension.responseSchemaField = 'responseJsonSchema'
  } else if (config.responseMimeType === 'text/plain' && schema === undefined) request.responseFormat = { type: 'text' }
  else {
    // enum output (`text/x.enum`) and other mime types have no IR form: kept as sent
    for (const key of ['responseMimeType', 'responseSchema', 'responseJsonSchema']) if (config[key] !== undefined) leftover[key] = config[key]
  }
  if (isObject(config.thinkingConfig)) {
    const thinking = config.thinkingConfig
    const reasoning: ReasoningConfig = {}
    if (typeof thinking.thinkingBudget === 'number') {
      reasoning.enabled = thinking.thinkingBudget !== 0
      if (thinking.thinkingBudget > 0) reasoning.budgetTokens = thinking.thinkingBudget
    }
    const level = typeof thinking.thinkingLevel === 'string' ? thinking.thinkingLevel.toLowerCase() : undefined
    if (level && efforts.has(level)) {
      reasoning.effort = level as ReasoningEffort
      reasoning.enabled = true
    }
    if (typeof thinking.includeThoughts === 'boolean') reasoning.includeThoughts = thinking.includeThoughts
    if (Object.keys(reasoning).length > 0) request.reasoning = reasoning
    // the exact config goes back to a Gemini upstream as sent (no default is added to it)
    extension.thinkingConfig = thinking
  }
  if (Object.keys(leftover).length > 0) extension.generationConfig = leftover
}

/**
 * IR → Gemini `generateContent` request body (the model goes in the URL, not here). Results get the
 * name of their call, looked up by id; schemas are cleaned to what Gemini accepts; reasoning and
 * signatures of other formats are left out.
 * @see https://ai.google.dev/api/generate-content#request-body
 */
export function encodeGeminiRequest(request: ChatRequest, target: ProviderTarget): JsonObject {
  const extension = request.extensions[FORMAT] ?? {}
  const {
    systemRole, builtinTools, toolConfig: toolConfigExtra, generationConfig: generationExtra, thinkingConfig: rawThinking,
    responseSchemaField, ...unknown
  } = extension
  const names = new Map<string, string>()
  for (const message of request.messages) for (const part of message.content) if (part.type === 'tool-call') names.set(part.id, part.name)
  const lookup = (callId: string) => names.get(callId)
  const contents: JsonObject[] = []
  let previous: Message['role'] | undefined
  for (const message of request.messages) {
    const parts = encodeGeminiParts(message.content, 'request', lookup)
    if (parts.length === 0) continue
    const role = message.role === 'assistant' ? 'model' : message.role === 'tool' && message.extensions?.[FORMAT]?.role === 'function' ? 'function' : 'user'
    const last = contents[contents.length - 1]
    // a tool turn and the user turn after it travel as one content, results first
    if (last && previous === 'tool' && message.role !== 'assistant' && last.role === role) (last.parts as JsonObject[]).push(...parts)
    else contents.push({ role, parts })
    previous = message.role
  }
  const body: JsonObject = { ...unknown, contents }
  if (request.system.length > 0) {
    body.systemInstruction = { ...(typeof systemRole === 'string' ? { role: systemRole } : {}), parts: request.system.map((part) => ({ text: part.text })) }
  }
  const tools: unknown[] = []
  if (request.tools && request.tools.length > 0) tools.push({ functionDeclarations: request.tools.map(encodeDeclaration) })
  if (Array.isArray(builtinTools)) tools.push(...builtinTools)
  if (tools.length > 0) body.tools = tools
  const toolConfig = encodeToolConfig(request.tools && request.tools.length > 0 ? request.toolChoice : undefined, toolConfigExtra)
  if (toolConfig) body.toolConfig = toolConfig
  const generation: JsonObject = { ...(isObject(generationExtra) ? generationExtra : {}) }
  if (request.maxTokens !== undefined) generation.maxOutputTokens = request.maxTokens
  if (request.temperature !== undefined) generation.temperature = request.temperature
  if (request.topP !== undefined) generation.topP = request.topP
  if (request.topK !== undefined) generation.topK = request.topK
  if (request.stop && request.stop.length > 0) generation.stopSequences = request.stop
  if (request.seed !== undefined) generation.seed = request.seed
  if (request.presencePenalty !== undefined) generation.presencePenalty = request.presencePenalty
  if (request.frequencyPenalty !== undefined) generation.frequencyPenalty = request.frequencyPenalty
  if (request.responseFormat) Object.assign(generation, encodeResponseFormat(request.responseFormat, responseSchemaField === 'responseJsonSchema'))
  const thinking = isObject(rawThinking) ? rawThinking : encodeThinkingConfig(request.reasoning, target.model)
  if (thinking) generation.thinkingConfig = thinking
  if (Object.keys(generation).length > 0) body.generationConfig = generation
  return body
}

function encodeDeclaration(tool: ToolDefinition): JsonObject {
  const extension = tool.extensions?.[FORMAT] ?? {}
  const declaration: JsonObject = { ...(isObject(extension.declaration) ? extension.declaration : {}), name: tool.name }
  if (tool.description !== undefined) declaration.description = tool.description
  if (extension.parametersField === 'parametersJsonSchema') declaration.parametersJsonSchema = tool.parameters
  else if (extension.noParameters !== true) {
    const parameters = cleanGeminiSchema(tool.parameters)
    // a function without arguments sends no schema: Gemini rejects an OBJECT with no properties
    const emptyObject = (parameters.type === undefined || String(parameters.type).toLowerCase() === 'object') && parameters.properties === undefined
    if (!emptyObject) declaration.parameters = parameters
  }
  return declaration
}

function encodeToolConfig(choice: ToolChoice | undefined, extra: unknown): JsonObject | undefined {
  const leftover = isObject(extra) ? extra : {}
  const calling: JsonObject = {}
  if (choice?.type === 'auto') calling.mode = 'AUTO'
  else if (choice?.type === 'none') calling.mode = 'NONE'
  else if (choice?.type === 'required') calling.mode = 'ANY'
  else if (choice?.type === 'tool') Object.assign(calling, { mode: 'ANY', allowedFunctionNames: [choice.name] })
  if (isObject(leftover.functionCallingConfig)) Object.assign(calling, leftover.functionCallingConfig)
  const config: JsonObject = { ...leftover }
  delete config.functionCallingConfig
  if (Object.keys(calling).length > 0) config.functionCallingConfig = calling
  return Object.keys(config).length > 0 ? config : undefined
}

function encodeResponseFormat(format: ResponseFormat, jsonSchemaField: boolean): JsonObject {
  if (format.type === 'text') return { responseMimeType: 'text/plain' }
  if (format.type === 'json') return { responseMimeType: 'application/json' }
  return jsonSchemaField
    ? { responseMimeType: 'application/json', responseJsonSchema: format.schema }
    : { responseMimeType: 'application/json', responseSchema: cleanGeminiSchema(format.schema) }
}

/**
 * IR reasoning → `thinkingConfig` for the target model: Gemini 3 takes a `thinkingLevel` for an
 * effort, Gemini 2.x a `thinkingBudget` (2.5 Pro cannot turn thinking off: its minimum is used).
 * Thoughts are asked for whenever reasoning was asked for, so clients see them.
 * @see https://ai.google.dev/gemini-api/docs/thinking
 */
export function encodeThinkingConfig(reasoning: ReasoningConfig | undefined, model: string): JsonObject | undefined {
  if (!reasoning) return undefined
  const name = model.toLowerCase()
  const takesLevel = /gemini-(?:[3-9]|\d\d)/.test(name)
  const flash = name.includes('flash')
  if (reasoning.enabled === false || reasoning.effort === 'none') {
    if (takesLevel) return { thinkingLevel: flash ? 'minimal' : 'low' }
    return { thinkingBudget: name.includes('pro') ? 128 : 0 }
  }
  const config: JsonObject = {}
  if (takesLevel && reasoning.effort) {
    const effort = reasoning.effort
    config.thinkingLevel = effort === 'minimal' ? (flash ? 'minimal' : 'low')
      : effort === 'low' ? 'low'
        : effort === 'medium' ? (flash ? 'medium' : 'high') : 'high'
  } else {
    const budget = reasoning.budgetTokens ?? (reasoning.effort ? budgetByEffort[reasoning.effort] : undefined)
    if (budget !== undefined) {
      const maximum = flash ? 24576 : 32768
      const minimum = name.includes('lite') ? 512 : name.includes('pro') ? 128 : 0
      config.thinkingBudget = Math.min(maximum, Math.max(minimum, budget))
    }
  }
  if (reasoning.includeThoughts !== undefined) config.includeThoughts = reasoning.includeThoughts
  else if (reasoning.enabled === true || reasoning.effort !== undefined) config.includeThoughts = true
  return Object.keys(config).length > 0 ? config : undefined
}
