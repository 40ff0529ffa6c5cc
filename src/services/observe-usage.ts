import type { FormatId } from '../formats/types'

/** Token counts as the upstream reported them (never estimated here). */
export interface ObservedUsage {
  inputTokens?: number
  outputTokens?: number
  cacheReadTokens?: number
  cacheWriteTokens?: number
  reasoningTokens?: number
}

type Json = Record<string, any>

function fromOpenAIChat(usage: Json, into: ObservedUsage): void {
  if (typeof usage.prompt_tokens === 'number') into.inputTokens = usage.prompt_tokens
  if (typeof usage.completion_tokens === 'number') into.outputTokens = usage.completion_tokens
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens
  if (typeof cached === 'number') into.cacheReadTokens = cached
  if (typeof usage.prompt_tokens_details?.cache_creation_tokens === 'number') into.cacheWriteTokens = usage.prompt_tokens_details.cache_creation_tokens
  const reasoning = usage.completion_tokens_details?.reasoning_tokens
  if (typeof reasoning === 'number') into.reasoningTokens = reasoning
}

// Anthropic's `input_tokens` excludes cache reads and writes while ours includes them; the parts seen so far
// are kept per usage object because message_start and message_delta may each carry only some of them.
const anthropicParts = new WeakMap<ObservedUsage, { input?: number; read?: number; write?: number }>()

function fromAnthropic(usage: Json, into: ObservedUsage): void {
  // message_delta carries cumulative totals; later values replace earlier ones.
  const parts = anthropicParts.get(into) ?? {}
  anthropicParts.set(into, parts)
  if (typeof usage.input_tokens === 'number') parts.input = usage.input_tokens
  if (typeof usage.cache_read_input_tokens === 'number') parts.read = into.cacheReadTokens = usage.cache_read_input_tokens
  if (typeof usage.cache_creation_input_tokens === 'number') parts.write = into.cacheWriteTokens = usage.cache_creation_input_tokens
  if (parts.input !== undefined || parts.read !== undefined || parts.write !== undefined) into.inputTokens = (parts.input ?? 0) + (parts.read ?? 0) + (parts.write ?? 0)
  if (typeof usage.output_tokens === 'number') into.outputTokens = usage.output_tokens
  if (typeof usage.output_tokens_details?.thinking_tokens === 'number') into.reasoningTokens = usage.output_tokens_details.thinking_tokens
}

function fromResponses(usage: Json, into: ObservedUsage): void {
  if (typeof usage.input_tokens === 'number') into.inputTokens = usage.input_tokens
  if (typeof usage.output_tokens === 'number') into.outputTokens = usage.output_tokens
  if (typeof usage.input_tokens_details?.cached_tokens === 'number') into.cacheReadTokens = usage.input_tokens_details.cached_tokens
  const written = usage.input_tokens_details?.cache_creation_tokens ?? usage.input_tokens_details?.cache_write_tokens
  if (typeof written === 'number') into.cacheWriteTokens = written
  if (typeof usage.output_tokens_details?.reasoning_tokens === 'number') into.reasoningTokens = usage.output_tokens_details.reasoning_tokens
}

function fromGemini(usage: Json, into: ObservedUsage): void {
  if (typeof usage.promptTokenCount === 'number') into.inputTokens = usage.promptTokenCount
  const candidates = usage.candidatesTokenCount ?? 0
  const thoughts = usage.thoughtsTokenCount ?? 0
  if (typeof usage.candidatesTokenCount === 'number' || typeof usage.thoughtsTokenCount === 'number') into.outputTokens = candidates + thoughts
  if (typeof usage.thoughtsTokenCount === 'number') into.reasoningTokens = thoughts
  if (typeof usage.cachedContentTokenCount === 'number') into.cacheReadTokens = usage.cachedContentTokenCount
}

/**
 * Reads the usage a response body or stream event carries, in place, for passthrough accounting.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 * @see https://docs.anthropic.com/en/api/messages-streaming#event-types
 */
export function observeUsage(format: FormatId, payload: Json, into: ObservedUsage): void {
  switch (format) {
    case 'openai-chat':
      if (payload.usage) fromOpenAIChat(payload.usage, into)
      return
    case 'anthropic-messages':
      if (payload.usage) fromAnthropic(payload.usage, into)
      else if (payload.message?.usage) fromAnthropic(payload.message.usage, into)
      return
    case 'openai-responses': {
      const usage = payload.response?.usage ?? payload.usage
      if (usage) fromResponses(usage, into)
      return
    }
    case 'gemini':
      if (payload.usageMetadata) fromGemini(payload.usageMetadata, into)
      return
    case 'ollama':
      if (typeof payload.prompt_eval_count === 'number') into.inputTokens = payload.prompt_eval_count
      if (typeof payload.eval_count === 'number') into.outputTokens = payload.eval_count
      return
  }
}
