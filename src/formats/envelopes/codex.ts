/**
 * Body rules of the ChatGPT Codex backend (`chatgpt.com/backend-api/codex/responses`), an OpenAI
 * Responses endpoint with restrictions: it always streams, stores nothing (`store: false`, so
 * reasoning is carried back as `encrypted_content`), takes `input` as an array, and rejects sampling
 * and token-limit parameters. A model suffix selects the reasoning effort (`gpt-5.3-codex-high`).
 * Pure: JSON in, JSON out.
 * @module
 */

/** Reasoning efforts a model-name suffix may select. */
export const codexEfforts = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const

/** A Codex reasoning effort. */
export type CodexEffort = (typeof codexEfforts)[number]

const suffix = new RegExp(`-(${codexEfforts.join('|')})$`)

/** Parameters the Codex backend refuses ("Unsupported parameter"), removed before sending. */
const unsupported = [
  'temperature', 'top_p', 'frequency_penalty', 'presence_penalty', 'logprobs', 'top_logprobs', 'n', 'seed',
  'max_output_tokens', 'max_tokens', 'max_completion_tokens', 'user', 'metadata', 'stream_options',
  'prompt_cache_retention', 'safety_identifier', 'truncation', 'background',
]

/** Splits `gpt-5.3-codex-high` into the model and its effort; a name without a known suffix is kept whole. */
export function splitEffortSuffix(model: string): { model: string; effort?: CodexEffort } {
  const match = suffix.exec(model)
  if (!match) return { model }
  return { model: model.slice(0, match.index), effort: match[1] as CodexEffort }
}

/**
 * Applies the Codex body rules to a Responses request. Effort precedence: the body's own
 * `reasoning.effort`, then `reasoning_effort`, then the model suffix; none of them: the backend's default.
 * @see https://github.com/openai/codex/blob/main/codex-rs/core/src/client.rs
 */
export function applyCodexBodyRules(body: Record<string, unknown>, model: string): Record<string, unknown> {
  const split = splitEffortSuffix(model)
  const out: Record<string, unknown> = { ...body, model: split.model, stream: true, store: false }
  for (const name of unsupported) delete out[name]

  const reasoning = typeof body.reasoning === 'object' && body.reasoning !== null ? { ...(body.reasoning as Record<string, unknown>) } : {}
  const effort = (reasoning.effort as string | undefined) ?? (typeof body.reasoning_effort === 'string' ? body.reasoning_effort : undefined) ?? split.effort
  delete out.reasoning_effort
  if (effort !== undefined) reasoning.effort = effort
  if (Object.keys(reasoning).length > 0) {
    if (effort !== 'none' && reasoning.summary === undefined) reasoning.summary = 'auto'
    out.reasoning = reasoning
  }
  // Without storage, reasoning survives between turns only as encrypted content the client sends back.
  if (effort !== 'none') {
    const include = Array.isArray(body.include) ? [...(body.include as unknown[])] : []
    if (!include.includes('reasoning.encrypted_content')) include.push('reasoning.encrypted_content')
    out.include = include
  }
  if (typeof out.input === 'string') {
    out.input = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: out.input }] }]
  } else if (!Array.isArray(out.input)) out.input = []
  // The backend requires the field; the client's own instructions are sent as they are.
  if (typeof out.instructions !== 'string') out.instructions = ''
  return out
}
