import type { Usage } from '../../core/ir'

/** Gemini `usageMetadata` (extra fields such as `promptTokensDetails` or `trafficType` allowed). */
export interface GeminiUsage {
  promptTokenCount?: number
  candidatesTokenCount?: number
  thoughtsTokenCount?: number
  cachedContentTokenCount?: number
  toolUsePromptTokenCount?: number
  totalTokenCount?: number
  [field: string]: unknown
}

/**
 * Gemini `usageMetadata` → IR usage: `promptTokenCount` already includes cached tokens; output is
 * candidates plus thoughts (the IR counts reasoning inside output). Empty when no count was sent.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export function decodeGeminiUsage(usage: GeminiUsage): Usage {
  const result: Usage = {}
  if (typeof usage.promptTokenCount === 'number') result.inputTokens = usage.promptTokenCount
  const candidates = usage.candidatesTokenCount
  const thoughts = usage.thoughtsTokenCount
  if (typeof candidates === 'number' || typeof thoughts === 'number') {
    result.outputTokens = (typeof candidates === 'number' ? candidates : 0) + (typeof thoughts === 'number' ? thoughts : 0)
  }
  if (typeof usage.cachedContentTokenCount === 'number') result.cacheReadTokens = usage.cachedContentTokenCount
  if (typeof thoughts === 'number') result.reasoningTokens = thoughts
  return result
}

/** True when a usage holds at least one count. */
export function hasUsage(usage: Usage): boolean {
  return (
    usage.inputTokens !== undefined || usage.outputTokens !== undefined || usage.cacheReadTokens !== undefined ||
    usage.cacheWriteTokens !== undefined || usage.reasoningTokens !== undefined
  )
}

/**
 * IR usage → Gemini `usageMetadata`; reasoning is split back out of output into `thoughtsTokenCount`.
 * Gemini has no cache-write count (those tokens stay inside `promptTokenCount`).
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export function encodeGeminiUsage(usage: Usage | undefined): GeminiUsage {
  const prompt = usage?.inputTokens ?? 0
  const output = usage?.outputTokens ?? 0
  // reasoning is part of output; an upstream that reported more reasoning than output (xAI counts
  // it apart) is clamped so the total output survives
  const thoughts = usage?.reasoningTokens === undefined ? undefined : Math.min(usage.reasoningTokens, output)
  const result: GeminiUsage = { promptTokenCount: prompt, candidatesTokenCount: output - (thoughts ?? 0) }
  if (thoughts !== undefined) result.thoughtsTokenCount = thoughts
  if (usage?.cacheReadTokens !== undefined) result.cachedContentTokenCount = usage.cacheReadTokens
  result.totalTokenCount = prompt + output
  return result
}
