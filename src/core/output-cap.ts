/**
 * Reads, from an upstream's "too many output tokens" error, how many it would accept: coding tools ask for
 * 32,000 or more output tokens, and many models take fewer (DeepSeek 8,192, older GPT-4o 16,384), or fewer than
 * what is left of the context window after a long prompt. The router then sends the request again with that
 * cap instead of failing the user's turn. Pure.
 * @module
 */

/** An output-token cap an error named: `model` for a fixed limit of the model, `context` for what this prompt leaves of the window. */
export interface OutputCap {
  tokens: number
  kind: 'model' | 'context'
}

// Each pattern's first group is the cap (for "exclusive" bounds, one more than the cap).
const modelCaps: readonly [RegExp, number][] = [
  // OpenAI: "max_tokens is too large: 32000. This model supports at most 16384 completion tokens, whereas you provided 32000."
  [/supports at most (\d+) (?:completion|output) tokens/i, 0],
  // DeepSeek: "Invalid max_tokens value, the valid range of max_tokens is [1, 8192]"
  [/valid range of max_(?:completion_|output_)?tokens is \[\s*\d+\s*,\s*(\d+)\s*\]/i, 0],
  // Anthropic: "max_tokens: 64000 > 32000, which is the maximum allowed number of output tokens for claude-…"
  [/max_tokens:\s*\d+\s*>\s*(\d+), which is the maximum allowed/i, 0],
  // Groq and others: "`max_tokens` must be less than or equal to `8192`…"
  [/max_(?:completion_|output_|new_)?tokens`?\s+must be (?:less than or equal to|<=|at most)\s*`?(\d+)/i, 0],
  // Gemini: "…maxOutputTokens value of 100000 but the supported range is from 1 (inclusive) to 65537 (exclusive)"
  [/maxOutputTokens value of \d+ but the supported range is from \d+ \(inclusive\) to (\d+) \(exclusive\)/i, 1],
]

// OpenAI-style: "maximum context length is 131072 tokens. However, you requested 131329 tokens (123137 in the messages, 8192 in the completion)"
const contextSplit = /maximum context length is (\d+) tokens\. However, you requested \d+ tokens \((\d+) in the messages, (\d+) in the completion\)/i
// vLLM: "This model's maximum context length is 64001 tokens and your request has 24235 input tokens (64000 > 64001 - 24235)"
const contextInput = /maximum context length is (\d+) tokens and your request has (\d+) input tokens/i

/**
 * The output-token cap an upstream error names, when it names one below what was asked (`requested`, when known);
 * undefined for any other error, or when the prompt alone already fills the window.
 */
export function parseOutputCap(text: string, requested?: number): OutputCap | undefined {
  const below = (tokens: number) => tokens >= 1 && (requested === undefined || tokens < requested)
  for (const [pattern, exclusive] of modelCaps) {
    const match = pattern.exec(text)
    if (match) {
      const tokens = Number(match[1]) - exclusive
      return below(tokens) ? { tokens, kind: 'model' } : undefined
    }
  }
  const split = contextSplit.exec(text)
  const input = split ?? contextInput.exec(text)
  if (input) {
    const tokens = Number(input[1]) - Number(input[2])
    return below(tokens) ? { tokens, kind: 'context' } : undefined
  }
  return undefined
}
