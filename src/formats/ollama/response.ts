import { ProxyError } from '../../core/errors'
import type { EncodeContext } from '../../core/ids'
import type { ChatResponse, OutputPart, ToolCallPart } from '../../core/ir'
import { isObject, pickUnknown, type JsonObject } from '../../core/json'
import { mapOllamaDoneReason, toOllamaDoneReason } from './finish-reason'
import { decodeOllamaToolCalls, toArgumentsObject } from './request'
import { decodeOllamaUsage, durationFields, encodeOllamaUsage } from './usage'

const FORMAT = 'ollama'

const knownFields = new Set(['model', 'created_at', 'message', 'done', 'done_reason', 'prompt_eval_count', 'eval_count'])

/** `created_at` (RFC 3339) → epoch seconds, when it parses. */
export function decodeCreatedAt(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000)
}

/** Epoch seconds (or the context clock) → Ollama's `created_at`. */
export function encodeCreatedAt(created: number | undefined, context: EncodeContext): string {
  return new Date(created !== undefined ? created * 1000 : context.clock.now()).toISOString()
}

/**
 * Ollama `/api/chat` non-stream body → IR (thinking, then content, then tool calls `call_<n>`).
 * Ollama has no response id: the IR id is empty and client encoders make one.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#chat-request-no-streaming
 */
export function decodeOllamaResponse(wire: unknown): ChatResponse {
  if (isObject(wire) && typeof wire.error === 'string') throw new ProxyError('upstream', wire.error)
  if (!isObject(wire) || !isObject(wire.message)) throw new ProxyError('upstream', 'upstream returned an Ollama response without a message')
  const message = wire.message
  const content: OutputPart[] = []
  if (typeof message.thinking === 'string' && message.thinking.length > 0) content.push({ type: 'reasoning', text: message.thinking })
  if (typeof message.content === 'string' && message.content.length > 0) content.push({ type: 'text', text: message.content })
  const calls = decodeOllamaToolCalls(message.tool_calls, 0)
  content.push(...calls)
  const response: ChatResponse = {
    id: '',
    model: String(wire.model ?? ''),
    content,
    finishReason: mapOllamaDoneReason(wire.done_reason, calls.length > 0),
    extensions: {},
  }
  if (typeof wire.done_reason === 'string') response.rawFinishReason = wire.done_reason
  const usage = decodeOllamaUsage(wire)
  if (usage) response.usage = usage
  const created = decodeCreatedAt(wire.created_at)
  if (created !== undefined) response.created = created
  const unknown = pickUnknown(wire, knownFields)
  if (unknown) response.extensions[FORMAT] = unknown
  return response
}

/** The assistant `message` of an Ollama response for the given parts. */
export function encodeOllamaMessage(parts: OutputPart[]): JsonObject {
  const message: JsonObject = {
    role: 'assistant',
    content: parts.filter((part) => part.type === 'text').map((part) => part.text).join(''),
  }
  const thinking = parts.filter((part) => part.type === 'reasoning').map((part) => part.text).join('')
  if (thinking.length > 0) message.thinking = thinking
  const calls = parts.filter((part): part is ToolCallPart => part.type === 'tool-call')
  if (calls.length > 0) message.tool_calls = calls.map((call) => ({ function: { name: call.name, arguments: toArgumentsObject(call.arguments) } }))
  return message
}

/**
 * IR → Ollama `/api/chat` non-stream body for a client. Timings are only sent when an Ollama
 * upstream reported them.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#chat-request-no-streaming
 */
export function encodeOllamaResponse(response: ChatResponse, context: EncodeContext): JsonObject {
  const extension = response.extensions[FORMAT] ?? {}
  const body: JsonObject = {
    ...extension,
    model: context.model ?? response.model,
    created_at: encodeCreatedAt(response.created, context),
    message: encodeOllamaMessage(response.content),
    done: true,
    done_reason: toOllamaDoneReason(response.finishReason, response.rawFinishReason),
    ...encodeOllamaUsage(response.usage),
  }
  for (const field of durationFields) if (typeof extension[field] === 'number') body[field] = extension[field]
  return body
}
