import type { Usage } from '../../core/ir'

/** Anthropic wire usage (extra fields such as `service_tier` allowed). */
export interface AnthropicUsage {
  input_tokens?: number | null
  output_tokens?: number | null
  cache_read_input_tokens?: number | null
  cache_creation_input_tokens?: number | null
  /** Thinking tokens, when the API reports them (part of `output_tokens`). */
  output_tokens_details?: { thinking_tokens?: number | null } | null
}

/**
 * Anthropic usage → IR usage. Anthropic's `input_tokens` excludes cache reads and writes, so the
 * IR total adds them back.
 * @see https://docs.anthropic.com/en/api/messages#response-usage
 */
export function decodeAnthropicUsage(usage: AnthropicUsage): Usage {
  const result: Usage = {}
  const input = usage.input_tokens
  const read = usage.cache_read_input_tokens
  const write = usage.cache_creation_input_tokens
  if (typeof input === 'number' || typeof read === 'number' || typeof write === 'number') {
    result.inputTokens = (input ?? 0) + (read ?? 0) + (write ?? 0)
  }
  if (typeof usage.output_tokens === 'number') result.outputTokens = usage.output_tokens
  if (typeof read === 'number') result.cacheReadTokens = read
  if (typeof write === 'number') result.cacheWriteTokens = write
  const thinking = usage.output_tokens_details?.thinking_tokens
  if (typeof thinking === 'number') result.reasoningTokens = thinking
  return result
}

/**
 * IR usage → Anthropic usage (always with `input_tokens` and `output_tokens`, which Claude Code reads).
 * @see https://docs.anthropic.com/en/api/messages#response-usage
 */
export function encodeAnthropicUsage(usage: Usage | undefined): Required<Pick<AnthropicUsage, 'input_tokens' | 'output_tokens'>> &
  AnthropicUsage {
  const read = usage?.cacheReadTokens
  const write = usage?.cacheWriteTokens
  const result: AnthropicUsage & { input_tokens: number; output_tokens: number } = {
    input_tokens: Math.max(0, (usage?.inputTokens ?? 0) - (read ?? 0) - (write ?? 0)),
    output_tokens: usage?.outputTokens ?? 0,
  }
  if (write !== undefined) result.cache_creation_input_tokens = write
  if (read !== undefined) result.cache_read_input_tokens = read
  if (usage?.reasoningTokens !== undefined) result.output_tokens_details = { thinking_tokens: usage.reasoningTokens }
  return result
}
