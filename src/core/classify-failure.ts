/**
 * Classifies an upstream failure so routing can act on it: return a client's own mistake at once,
 * cool down a rate-limited account until its reset, retry a transient fault elsewhere.
 * Pure: the current time is passed in.
 * @module
 */
import { describeHtmlPage } from './errors'
import { parseOutputCap, type OutputCap } from './output-cap'
import { parseParameterRepair, type ParameterRepair } from './parameter-repair'

/** What a failure means for routing. */
export type FailureClass =
  /** The request itself is wrong (400/404/413/422…): return it, no cooldown, no retry. */
  | 'client'
  /** The prompt does not fit this model: try the next combo model, no cooldown. */
  | 'context-length'
  /** The content was refused by a filter: return it (another model would likely refuse too). */
  | 'content-filter'
  /** The credential was refused (401/403): refresh once, then "needs re-login". */
  | 'auth'
  /** Rate limit or quota (429, usage_limit_reached, RESOURCE_EXHAUSTED): cool down until reset. */
  | 'rate-limit'
  /** Server error, overload, timeout or network fault: one quick retry, then the next candidate. */
  | 'transient'

/** A classified failure with when to try this account again, if the upstream said. */
export interface ClassifiedFailure {
  class: FailureClass
  /** Absolute time (ms) the upstream said the limit resets, when it said so. */
  resetAt?: number
  /** The limit applies to this model only (per-model quotas), not the whole account. */
  perModel: boolean
  /** A short reason for the dashboard and logs. */
  reason: string
  /** A 4xx that names how many output tokens the upstream would accept: the request may go again within it. */
  outputCap?: OutputCap
  /** A 4xx that names a parameter the upstream will not take: the request may go again without it. */
  repair?: ParameterRepair
  /** It came as a timeout: every probe of it costs the client that wait, so its circuit backs off further. */
  slow?: boolean
}

const contextLength = /context[_ ]length|context window|maximum context|prompt is too long|too many tokens|input is too long|exceeds the (maximum|context)|max_tokens.*exceed|reduce the length/i
const contentFilter = /content[_ ]filter|content management policy|safety (system|filter)|flagged by|responsible ai policy/i
// How upstreams word their refusal of a conversation that ends with the assistant's own words (or of the member
// that marks it, in OpenAI-format upstreams: Mistral's `prefix`, Kimi's `partial`).
const prefillRefused = /prefill|final assistant|assistant message|must end with a user|last (message|role).*(user|assistant)|\bprefix\b|\bpartial\b/i
const quota = /usage_limit_reached|insufficient_quota|quota exceeded|exceeded your current quota|RESOURCE_EXHAUSTED|rate[_ ]limit|too many requests/i

/** Whether a 400's text refuses an assistant prefill (the same model may still answer the question anew). */
export function refusesPrefill(status: number, text: string): boolean {
  return status === 400 && prefillRefused.test(text)
}

/** Parses `Retry-After` (seconds or HTTP date) into an absolute time. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return now + seconds * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : date
}

/** Parses a duration like `34.4s`, `1m30s`, `2h7m23s` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(text.trim())
  if (!match || match.slice(1).every((part) => part === undefined)) return undefined
  const [, h, m, s, ms] = match.map((part) => Number(part ?? 0))
  return ((h * 60 + m) * 60 + s) * 1000 + ms
}

/** Finds a reset time in an error body: Gemini RetryInfo, Codex `resets_at`/`resets_in_seconds`, "try again in 20s". */
function resetFromBody(body: unknown, text: string, now: number): number | undefined {
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error
  if (error && typeof error === 'object') {
    const details = Array.isArray(error.details) ? error.details : []
    for (const detail of details) {
      const delay = (detail as { retryDelay?: unknown })?.retryDelay
      if (typeof delay === 'string') {
        const ms = parseDuration(delay)
        if (ms !== undefined) return now + ms
      }
    }
    if (typeof error.resets_at === 'number') return error.resets_at * 1000
    if (typeof error.resets_in_seconds === 'number') return now + error.resets_in_seconds * 1000
  }
  const phrase = /(?:try again|retry|reset[s]?) (?:in|after) ((?:\d+(?:\.\d+)?(?:h|ms|m|s))+)/i.exec(text)
  if (phrase) {
    const ms = parseDuration(phrase[1])
    if (ms !== undefined) return now + ms
  }
  return undefined
}

/** Anthropic's per-limit reset headers: the latest reset among exhausted limits. */
function resetFromHeaders(headers: Headers, now: number): number | undefined {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now)
  if (retryAfter !== undefined) return retryAfter
  for (const name of ['anthropic-ratelimit-requests-reset', 'anthropic-ratelimit-tokens-reset', 'x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) {
    const value = headers.get(name)
    if (!value) continue
    const date = Date.parse(value)
    if (!Number.isNaN(date)) return date
    const ms = parseDuration(value)
    if (ms !== undefined) return now + ms
  }
  return undefined
}

/** A passing fault (a broken connection, a timeout, an upstream that sent garbage): worth another try elsewhere. */
export function transientFailure(reason: string, slow = false): ClassifiedFailure {
  return slow ? { class: 'transient', perModel: false, reason, slow } : { class: 'transient', perModel: false, reason }
}

/**
 * Classifies an upstream HTTP error from its status, headers and body text.
 * @see https://docs.anthropic.com/en/api/rate-limits#response-headers
 * @see https://ai.google.dev/gemini-api/docs/rate-limits
 */
export function classifyHttpFailure(status: number, headers: Headers, text: string, now: number): ClassifiedFailure {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  const summary = text.slice(0, 200)
  if (status === 429 || (status === 403 && quota.test(text)) || (status >= 400 && /usage_limit_reached|RESOURCE_EXHAUSTED/.test(text))) {
    const resetAt = resetFromHeaders(headers, now) ?? resetFromBody(body, text, now)
    const perModel = /PerModel|per[_ -]model|for model|model_rate_limit/i.test(text)
    return { class: 'rate-limit', resetAt, perModel, reason: `rate limited (${status})` }
  }
  // A 403 HTML page is a CDN or proxy blocking the way (a bot check, a region block), not a refused credential.
  if (status === 403 && describeHtmlPage(text)) return { class: 'transient', perModel: false, reason: `blocked before the API (${describeHtmlPage(text)})` }
  if (status === 401 || status === 403) return { class: 'auth', perModel: false, reason: `credential refused (${status})` }
  if (status === 408 || status >= 500) {
    const resetAt = parseRetryAfter(headers.get('retry-after'), now)
    return { class: 'transient', resetAt, perModel: false, reason: `upstream error ${status}` }
  }
  const outputCap = parseOutputCap(text)
  if (outputCap) {
    const reason = `asked for more output tokens than the upstream allows (${outputCap.tokens} here)`
    // A cap from what a long prompt leaves of the window: should the retry within it fail too, another model may fit.
    return { class: outputCap.kind === 'context' ? 'context-length' : 'client', perModel: true, reason, outputCap }
  }
  const repair = parseParameterRepair(text)
  if (repair) return { class: 'client', perModel: true, reason: `refused a parameter (${'drop' in repair ? repair.drop : repair.rename})`, repair }
  if (contextLength.test(text)) return { class: 'context-length', perModel: true, reason: 'prompt too long for this model' }
  if (contentFilter.test(text)) return { class: 'content-filter', perModel: true, reason: 'refused by content filter' }
  return { class: 'client', perModel: false, reason: `request rejected (${status}): ${summary}` }
}
