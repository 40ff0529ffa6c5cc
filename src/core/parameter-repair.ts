/**
 * Reads, from an upstream's 400, a tuning parameter it will not take, so the router can send the request again
 * without it instead of failing the user's turn: reasoning models refuse `temperature` or `top_p`, newer Claude
 * models refuse `temperature` and `top_p` together, OpenAI's newer models want `max_completion_tokens` for
 * `max_tokens`, and strict OpenAI-compatible servers refuse fields they do not know (`stream_options`…). Only
 * sampling and bookkeeping parameters are ever dropped; never messages, tools or output formats. Pure.
 * @module
 */

/** One change to a request body's top-level fields that an upstream asked for. */
export type ParameterRepair =
  /** Leave the field out (only when `onlyWith` is also present, if set). */
  | { drop: string; onlyWith?: string }
  /** Send the field under another name. */
  | { rename: string; to: string }

/** Fields that only tune sampling or bookkeeping: leaving one out changes no meaning the caller relies on. */
const droppable = new Set([
  'temperature', 'top_p', 'top_k', 'min_p', 'presence_penalty', 'frequency_penalty', 'repetition_penalty', 'seed',
  'logprobs', 'top_logprobs', 'logit_bias', 'stream_options', 'parallel_tool_calls', 'reasoning_effort', 'verbosity',
  'service_tier', 'store', 'metadata', 'user', 'prediction', 'safety_identifier', 'prompt_cache_key', 'prompt_cache_retention',
])

type ErrorBody = { error?: { message?: unknown; param?: unknown; code?: unknown }; detail?: unknown; message?: unknown }

/** The field a message names as unsupported (`Unsupported parameter: 'top_p'…`, `Unrecognized request argument supplied: seed`). */
function namedInMessage(message: string): string | undefined {
  return /Unsupported (?:parameter|value): '([a-z_]+)'/i.exec(message)?.[1] ?? /Unrecognized request arguments? supplied: ([a-z_]+)/i.exec(message)?.[1]
}

/** The first repair an upstream error asks for, if it names one modelmux may make; undefined for any other error. */
export function parseParameterRepair(text: string): ParameterRepair | undefined {
  // Anthropic (Claude Sonnet 4.5 and later): "`temperature` and `top_p` cannot both be specified for this model."
  if (/temperature`? and `?top_p`? cannot both be specified/i.test(text)) return { drop: 'top_p', onlyWith: 'temperature' }
  // Anthropic with extended thinking: "`temperature` may only be set to 1 when thinking is enabled."
  if (/temperature`? may only be set to 1 when thinking is enabled/i.test(text)) return { drop: 'temperature', onlyWith: 'thinking' }
  let body: ErrorBody | undefined
  try {
    body = JSON.parse(text) as ErrorBody
  } catch {
    body = undefined
  }
  const error = body?.error
  const message = typeof error?.message === 'string' ? error.message : typeof body?.message === 'string' ? body.message : text
  const param = typeof error?.param === 'string' ? error.param : namedInMessage(message)
  if (param === 'max_tokens' && /max_completion_tokens/.test(message)) return { rename: 'max_tokens', to: 'max_completion_tokens' }
  if (param !== undefined && droppable.has(param) && (/unsupported|not supported|unrecognized|does not support/i.test(message) || /unsupported/.test(String(error?.code)))) {
    return { drop: param }
  }
  // pydantic-validated servers (vLLM, Mistral…): {"detail": [{"type": "extra_forbidden", "loc": ["body", "stream_options"]}]}
  if (Array.isArray(body?.detail)) {
    for (const issue of body.detail as { type?: unknown; loc?: unknown }[]) {
      const loc = Array.isArray(issue?.loc) ? issue.loc : []
      if (issue?.type === 'extra_forbidden' && loc.length === 2 && loc[0] === 'body' && droppable.has(String(loc[1]))) return { drop: String(loc[1]) }
    }
  }
  return undefined
}

/** The body with a repair made, or the body itself when the repair does not apply to it. */
export function applyParameterRepair(body: Record<string, unknown>, repair: ParameterRepair): Record<string, unknown> {
  if ('rename' in repair) {
    if (!(repair.rename in body) || repair.to in body) return body
    const { [repair.rename]: value, ...rest } = body
    return { ...rest, [repair.to]: value }
  }
  if (!(repair.drop in body) || (repair.onlyWith !== undefined && !(repair.onlyWith in body))) return body
  const { [repair.drop]: _dropped, ...rest } = body
  return rest
}
