import type { Usage } from '../../core/ir'

/** Wire usage object of a chat completion (extra provider fields allowed). */
export interface OpenAIUsage {
  prompt_tokens?: number
  completion_tokens?: number
  total_tokens?: number
  prompt_tokens_details?: { cached_tokens?: number; cache_creation_tokens?: number } | null
  completion_tokens_details?: { reasoning_tokens?: number } | null
  /** DeepSeek's own name for cache hits. */
  prompt_cache_hit_tokens?: number
}

/**
 * OpenAI `usage` → IR usage; `prompt_tokens` already includes cached tokens.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
export function decodeOpenAIUsage(usage: OpenAIUsage): Usage {
  const result: Usage = {}
  if (typeof usage.prompt_tokens === 'number') result.inputTokens = usage.prompt_tokens
  if (typeof usage.completion_tokens === 'number') result.outputTokens = usage.completion_tokens
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens
  if (typeof cached === 'number') result.cacheReadTokens = cached
  const written = usage.prompt_tokens_details?.cache_creation_tokens
  if (typeof written === 'number') result.cacheWriteTokens = written
  const reasoning = usage.completion_tokens_details?.reasoning_tokens
  if (typeof reasoning === 'number') result.reasoningTokens = reasoning
  return result
}

/**
 * IR usage → OpenAI `usage`; cache writes go in `prompt_tokens_details.cache_creation_tokens`
 * (not an OpenAI field, the one OpenAI-compatible gateways use), only when non-zero.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
export function encodeOpenAIUsage(usage: Usage): OpenAIUsage {
  const prompt = usage.inputTokens ?? 0
  const completion = usage.outputTokens ?? 0
  const result: OpenAIUsage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
  if (usage.cacheReadTokens !== undefined || usage.cacheWriteTokens) {
    result.prompt_tokens_details = { cached_tokens: usage.cacheReadTokens ?? 0 }
    if (usage.cacheWriteTokens) result.prompt_tokens_details.cache_creation_tokens = usage.cacheWriteTokens
  }
  if (usage.reasoningTokens !== undefined) result.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens }
  return result
}
