import type { Usage } from '../../core/ir'

/** Wire usage object of a Responses API response. */
export interface ResponsesUsage {
  input_tokens?: number
  input_tokens_details?: { cached_tokens?: number; cache_creation_tokens?: number } | null
  output_tokens?: number
  output_tokens_details?: { reasoning_tokens?: number } | null
  total_tokens?: number
}

/**
 * Responses `usage` → IR usage; `input_tokens` already includes cached tokens and `output_tokens`
 * reasoning tokens (the IR's own convention).
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
 */
export function decodeResponsesUsage(usage: ResponsesUsage): Usage {
  const result: Usage = {}
  if (typeof usage.input_tokens === 'number') result.inputTokens = usage.input_tokens
  if (typeof usage.output_tokens === 'number') result.outputTokens = usage.output_tokens
  const cached = usage.input_tokens_details?.cached_tokens
  if (typeof cached === 'number') result.cacheReadTokens = cached
  const written = usage.input_tokens_details?.cache_creation_tokens
  if (typeof written === 'number') result.cacheWriteTokens = written
  const reasoning = usage.output_tokens_details?.reasoning_tokens
  if (typeof reasoning === 'number') result.reasoningTokens = reasoning
  return result
}

/**
 * IR usage → Responses `usage`, with both detail objects always present (the SDKs type them as
 * required). Cache writes ride in `input_tokens_details.cache_creation_tokens` (not an OpenAI
 * field; the name OpenAI-compatible gateways use) only when non-zero.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
 */
export function encodeResponsesUsage(usage: Usage | undefined): Required<Omit<ResponsesUsage, 'input_tokens_details' | 'output_tokens_details'>> & {
  input_tokens_details: { cached_tokens: number; cache_creation_tokens?: number }
  output_tokens_details: { reasoning_tokens: number }
} {
  const input = usage?.inputTokens ?? 0
  const output = usage?.outputTokens ?? 0
  const inputDetails: { cached_tokens: number; cache_creation_tokens?: number } = { cached_tokens: usage?.cacheReadTokens ?? 0 }
  if (usage?.cacheWriteTokens) inputDetails.cache_creation_tokens = usage.cacheWriteTokens
  return {
    input_tokens: input,
    input_tokens_details: inputDetails,
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage?.reasoningTokens ?? 0 },
    total_tokens: input + output,
  }
}
