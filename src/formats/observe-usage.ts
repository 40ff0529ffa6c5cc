import { mergeUsage, type Usage } from '../core/ir'
import { decodeAnthropicUsage, type AnthropicUsage } from './anthropic-messages/usage'
import { decodeGeminiUsage } from './gemini/usage'
import { decodeOllamaUsage } from './ollama/usage'
import { decodeOpenAIUsage } from './openai-chat/usage'
import { decodeResponsesUsage } from './openai-responses/usage'
import type { FormatId } from './types'

/** Token counts as the upstream reported them (never estimated here), in the IR's convention. */
export type ObservedUsage = Usage

type Json = Record<string, any>

// Anthropic's `input_tokens` excludes cache reads and writes while ours includes them. message_start and
// message_delta may each carry only some of those parts, so the parts seen so far are kept per usage object.
const anthropicParts = new WeakMap<ObservedUsage, AnthropicUsage>()

function fromAnthropic(usage: AnthropicUsage, into: ObservedUsage): void {
  const parts = anthropicParts.get(into) ?? {}
  anthropicParts.set(into, parts)
  for (const key of ['input_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
    if (typeof usage[key] === 'number') parts[key] = usage[key]
  }
  Object.assign(into, mergeUsage(into, decodeAnthropicUsage({ ...usage, ...parts })))
}

/**
 * Reads the usage a passthrough response body or stream event carries, into `into`, with each format's
 * own usage decoder (later reports override earlier fields).
 * @see https://docs.anthropic.com/en/api/messages-streaming#event-types
 */
export function observeUsage(format: FormatId, payload: Json, into: ObservedUsage): void {
  const merge = (usage: Usage | undefined) => usage && Object.assign(into, mergeUsage(into, usage))
  switch (format) {
    case 'openai-chat':
      if (payload.usage) merge(decodeOpenAIUsage(payload.usage))
      return
    case 'anthropic-messages': {
      const usage = payload.usage ?? payload.message?.usage
      if (usage) fromAnthropic(usage, into)
      return
    }
    case 'openai-responses': {
      const usage = payload.response?.usage ?? payload.usage
      if (usage) merge(decodeResponsesUsage(usage))
      return
    }
    case 'gemini':
      if (payload.usageMetadata) merge(decodeGeminiUsage(payload.usageMetadata))
      return
    case 'ollama':
      merge(decodeOllamaUsage(payload))
      return
  }
}
