import { ProxyError } from '../../core/errors'
import type { EncodeContext } from '../../core/ids'
import type { ChatResponse, OutputPart } from '../../core/ir'
import { isObject, pickUnknown, type JsonObject } from '../../core/json'
import { decodeAnthropicBlock, encodeAnthropicPart } from './content'
import { mapAnthropicStopReason, toAnthropicStopReason } from './finish-reason'
import { decodeAnthropicUsage, encodeAnthropicUsage, type AnthropicUsage } from './usage'

const FORMAT = 'anthropic-messages'
const knownFields = new Set(['id', 'type', 'role', 'model', 'content', 'stop_reason', 'stop_sequence', 'usage'])

/**
 * Anthropic `message` body → IR.
 * @see https://docs.anthropic.com/en/api/messages#response
 */
export function decodeAnthropicResponse(wire: unknown): ChatResponse {
  if (!isObject(wire) || !Array.isArray(wire.content)) {
    throw new ProxyError('upstream', 'upstream returned a message without content')
  }
  const content = (wire.content as JsonObject[])
    .filter(isObject)
    .map(decodeAnthropicBlock)
    .filter((part): part is OutputPart =>
      part.type === 'text' || part.type === 'tool-call' || part.type === 'reasoning' || part.type === 'raw')
  const rawReason = typeof wire.stop_reason === 'string' ? wire.stop_reason : undefined
  const response: ChatResponse = {
    id: String(wire.id ?? ''),
    model: String(wire.model ?? ''),
    content,
    finishReason: mapAnthropicStopReason(rawReason),
    extensions: {},
  }
  if (rawReason !== undefined) response.rawFinishReason = rawReason
  if (typeof wire.stop_sequence === 'string') response.stopSequence = wire.stop_sequence
  if (isObject(wire.usage)) response.usage = decodeAnthropicUsage(wire.usage as AnthropicUsage)
  const unknown = pickUnknown(wire, knownFields)
  if (unknown) response.extensions[FORMAT] = unknown
  return response
}

/**
 * IR → Anthropic `message` body for a client. Reasoning from another format is shown as a thinking
 * block with an empty signature (never an invented one).
 * @see https://docs.anthropic.com/en/api/messages#response
 */
export function encodeAnthropicResponse(response: ChatResponse, context: EncodeContext): JsonObject {
  const content: JsonObject[] = []
  for (const part of response.content) {
    const block = encodeAnthropicPart(part)
    if (block) content.push(block)
    else if (part.type === 'reasoning' && part.text.length > 0) content.push({ type: 'thinking', thinking: part.text, signature: '' })
  }
  const toolCalled = content.some((block) => block.type === 'tool_use')
  const body: JsonObject = {
    id: response.id || context.ids('msg_'),
    type: 'message',
    role: 'assistant',
    model: context.model ?? response.model,
    content,
    stop_reason: toAnthropicStopReason(response.finishReason, {
      rawReason: response.rawFinishReason,
      stopSequence: response.stopSequence,
      toolCalled,
    }),
    stop_sequence: response.stopSequence ?? null,
    usage: encodeAnthropicUsage(response.usage),
  }
  // Anthropic-only message fields (`container`, `context_management`) when the upstream was Anthropic too
  const extension = response.extensions[FORMAT]
  if (extension) for (const key in extension) if (!(key in body)) body[key] = extension[key]
  return body
}
