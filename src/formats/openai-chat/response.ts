import { ProxyError } from '../../core/errors'
import type { EncodeContext } from '../../core/ids'
import type { ChatResponse, OutputPart, ToolCallPart } from '../../core/ir'
import { isObject, pickUnknown, type JsonObject } from '../../core/json'
import { mapOpenAIFinishReason, toOpenAIFinishReason } from './finish-reason'
import { decodeOpenAIUsage, encodeOpenAIUsage, type OpenAIUsage } from './usage'

const knownFields = new Set(['id', 'object', 'created', 'model', 'choices', 'usage'])

/**
 * OpenAI `chat.completion` body → IR (first choice only).
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export function decodeOpenAIChatResponse(wire: unknown): ChatResponse {
  if (!isObject(wire) || !Array.isArray(wire.choices)) {
    throw new ProxyError('upstream', 'upstream returned a chat completion without choices')
  }
  const choice = (wire.choices[0] ?? {}) as JsonObject
  const message = (isObject(choice.message) ? choice.message : {}) as JsonObject
  const content: OutputPart[] = []
  const reasoning = message.reasoning_content ?? message.reasoning
  if (typeof reasoning === 'string' && reasoning.length > 0) content.push({ type: 'reasoning', text: reasoning })
  if (typeof message.content === 'string' && message.content.length > 0) content.push({ type: 'text', text: message.content })
  else if (Array.isArray(message.content)) {
    for (const part of message.content as JsonObject[]) {
      if (isObject(part) && typeof part.text === 'string') content.push({ type: 'text', text: part.text })
    }
  }
  if (typeof message.refusal === 'string' && message.refusal.length > 0) content.push({ type: 'text', text: message.refusal })
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls as JsonObject[]) {
      const fn = (call.function ?? {}) as JsonObject
      content.push({
        type: 'tool-call',
        id: String(call.id ?? ''),
        name: String(fn.name ?? ''),
        arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
      })
    }
  }
  const rawReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined
  const response: ChatResponse = {
    id: String(wire.id ?? ''),
    model: String(wire.model ?? ''),
    content,
    finishReason: mapOpenAIFinishReason(rawReason),
    extensions: {},
  }
  if (rawReason !== undefined) response.rawFinishReason = rawReason
  if (isObject(wire.usage)) response.usage = decodeOpenAIUsage(wire.usage as OpenAIUsage)
  if (typeof wire.created === 'number') response.created = wire.created
  const unknown = pickUnknown(wire, knownFields)
  if (unknown) response.extensions['openai-chat'] = unknown
  return response
}

/**
 * IR → OpenAI `chat.completion` body for a client (reasoning as `reasoning_content`).
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export function encodeOpenAIChatResponse(response: ChatResponse, context: EncodeContext): JsonObject {
  const text = response.content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('')
  const reasoning = response.content
    .filter((part) => part.type === 'reasoning')
    .map((part) => part.text)
    .join('')
  const calls = response.content.filter((part): part is ToolCallPart => part.type === 'tool-call')
  const message: JsonObject = { role: 'assistant', content: text.length > 0 || calls.length === 0 ? text : null }
  if (reasoning.length > 0) message.reasoning_content = reasoning
  if (calls.length > 0) {
    message.tool_calls = calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments || '{}' },
    }))
  }
  const body: JsonObject = {
    id: response.id || context.ids('chatcmpl-'),
    object: 'chat.completion',
    created: response.created ?? Math.floor(context.clock.now() / 1000),
    model: context.model ?? response.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAIFinishReason(response.finishReason) }],
  }
  if (response.usage) body.usage = encodeOpenAIUsage(response.usage)
  return body
}
