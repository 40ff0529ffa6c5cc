import { ProxyError } from '../core/errors'
import type { FormatId } from '../formats/types'
import { resolveCredential, type CredentialCache } from '../providers/credentials'
import { joinUrl } from '../providers/endpoints'
import { baseUrlOf, prepareUpstream } from '../providers/prepare-upstream'
import type { ModelInfo, ModelPricing, ProviderDefinition, UpstreamConnection } from '../providers/types'
import { buildUpstreamHeaders, withQueryAuth } from '../upstream/headers'
import { selectProxy, withProxy, type ProxyEnv } from '../upstream/proxy'

/** What checks need from the outside world: fetch, the clock and the proxy environment. */
export interface CheckDeps {
  fetch: typeof fetch
  now: () => number
  env: ProxyEnv
  /** Per-request limit (default 15 s). */
  timeoutMs?: number
  credentialCache?: CredentialCache
}

/** The outcome of "test connection": never a stack trace, always a sentence a user can act on. */
export interface ConnectionCheck {
  ok: boolean
  /** How it was checked: listing models, or a one-token request. */
  method: 'models' | 'probe' | 'none'
  /** Upstream HTTP status, when one answered. */
  status?: number
  reason: string
  latencyMs: number
}

/** A model in a merged list: built-in facts plus what the live list said. */
export interface ListedModel extends ModelInfo {
  source: 'builtin' | 'live' | 'both'
}

/** A provider's models for one connection; `error` says why the live list is missing or stale. */
export interface ModelList {
  models: ListedModel[]
  live: boolean
  fetchedAt?: number
  error?: string
}

const defaultTimeoutMs = 15_000

/** Turns a fetch failure into a short reason: refused, DNS, timeout, TLS, reset, proxy. */
export function describeFetchError(error: unknown, target: string, timeoutMs: number, proxy: string | null = null): string {
  const code = String((error as { code?: unknown })?.code ?? '')
  const name = (error as Error)?.name ?? ''
  const message = String((error as Error)?.message ?? error)
  const via = proxy ? ` (through proxy ${redactProxy(proxy)})` : ''
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return `timed out after ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`} waiting for ${target}${via}`
  if (code === 'ECONNREFUSED' || code === 'ConnectionRefused') return `connection refused by ${target}${via}: is the server running and the port right?`
  if (/ENOTFOUND|EAI_AGAIN|DNS/i.test(code) || /getaddrinfo|DNS|resolve host/i.test(message)) return `host name not found (DNS) for ${target}: check the base URL`
  if (code === 'UnsupportedProxyProtocol') return `the proxy ${redactProxy(proxy ?? '')} uses an unsupported scheme: use http:// or https://`
  if (/CERT|TLS|SSL|EPROTO/i.test(code) || /certificate|TLS|SSL|handshake/i.test(message)) return `TLS failed talking to ${target}${via}: ${message.split('\n')[0]} (is it http:// rather than https://, or a self-signed certificate?)`
  if (code === 'ECONNRESET' || /reset|socket closed|connection closed/i.test(message)) return `${target} closed the connection${via}`
  return `cannot reach ${target}${via}: ${message.split('\n')[0]}`
}

const redactProxy = (proxy: string) => proxy.replace(/\/\/[^@/]*@/, '//***@')

/** The upstream's own error message, if its body has one. */
function upstreamMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, any>
    const error = body.error
    const message = typeof error === 'string' ? error : typeof error?.message === 'string' ? error.message : typeof body.message === 'string' ? body.message : undefined
    if (message) return message.slice(0, 300)
  } catch {}
  return text.trim().replace(/\s+/g, ' ').slice(0, 200)
}

/** A reason for an HTTP failure, by status. */
function describeStatus(status: number, text: string, method: 'models' | 'probe'): string {
  const detail = upstreamMessage(text)
  const suffix = detail ? `: ${detail}` : ''
  if (status === 401 || status === 403) return `the key was refused (HTTP ${status})${suffix}`
  if (status === 404) return `not found (HTTP 404): check the base URL (it should include the API version, e.g. …/v1)${method === 'probe' ? ' and the model name' : ''}${suffix}`
  if (status === 429) return `the key works but is rate-limited or out of quota (HTTP 429)${suffix}`
  if (status >= 500) return `the provider answered with a server error (HTTP ${status})${suffix}`
  return `the provider answered HTTP ${status}${suffix}`
}

/** A minimal one-token request in each wire format. */
function probeBody(format: FormatId, model: string): Record<string, unknown> {
  const messages = [{ role: 'user', content: 'ping' }]
  switch (format) {
    case 'openai-chat':
      return { model, messages, max_tokens: 1, stream: false }
    case 'anthropic-messages':
      return { model, messages, max_tokens: 1 }
    case 'openai-responses':
      return { model, input: 'ping', max_output_tokens: 16 }
    case 'gemini':
      return { contents: [{ role: 'user', parts: [{ text: 'ping' }] }], generationConfig: { maxOutputTokens: 1 } }
    case 'ollama':
      return { model, messages, stream: false, options: { num_predict: 1 } }
  }
}

type Exchange = { response: Response; text: string } | { error: string }

/** One request with a timeout, through the proxy the URL calls for. */
async function exchange(url: string, init: RequestInit, deps: CheckDeps, proxy: string | null): Promise<Exchange> {
  const timeoutMs = deps.timeoutMs ?? defaultTimeoutMs
  const target = new URL(url).host
  try {
    const response = await withProxy(deps.fetch, proxy)(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
    return { response, text: await response.text().catch(() => '') }
  } catch (error) {
    return { error: describeFetchError(error, target, timeoutMs, proxy) }
  }
}

/** The GET that lists a provider's models, with its credential; null when the provider has no listing API. */
function listRequest(provider: ProviderDefinition, connection: UpstreamConnection, credential: string | null, env: ProxyEnv) {
  if (!provider.listModels) return null
  const url = withQueryAuth(joinUrl(baseUrlOf(provider, connection), provider.listModels), provider, credential)
  const headers = buildUpstreamHeaders(provider, credential, undefined, false)
  delete headers['content-type']
  const proxy = selectProxy(url, env, typeof connection.options?.proxy === 'string' ? connection.options.proxy : undefined)
  return { url, init: { method: 'GET', headers } satisfies RequestInit, proxy }
}

/** Checks the base URL first, so a typo is reported as such rather than as a network error. */
function checkBaseUrl(provider: ProviderDefinition, connection: UpstreamConnection): string | undefined {
  let base: string
  try {
    base = baseUrlOf(provider, connection)
  } catch (error) {
    return (error as Error).message
  }
  try {
    const { protocol } = new URL(base)
    if (protocol !== 'http:' && protocol !== 'https:') return `the base URL must start with http:// or https:// (got ${base})`
  } catch {
    return `the base URL is not a valid URL: ${base}`
  }
}

/**
 * "Test connection": `GET {base}/models` with the connection's credential where the provider lists models,
 * else (or when that listing is missing) a one-token request. The reason is a sentence, never a stack trace.
 */
export async function testConnection(provider: ProviderDefinition, connection: UpstreamConnection, deps: CheckDeps): Promise<ConnectionCheck> {
  const startedAt = deps.now()
  const done = (check: Omit<ConnectionCheck, 'latencyMs'>): ConnectionCheck => ({ ...check, latencyMs: Math.max(0, deps.now() - startedAt) })
  const badBase = checkBaseUrl(provider, connection)
  if (badBase) return done({ ok: false, method: 'none', reason: badBase })
  let credential: string | null
  try {
    credential = await resolveCredential(provider, connection, { fetch: deps.fetch, now: deps.now, env: deps.env, cache: deps.credentialCache })
  } catch (error) {
    return done({ ok: false, method: 'none', reason: error instanceof ProxyError ? error.message : String((error as Error)?.message ?? error) })
  }
  if (provider.auth.kind !== 'none' && !credential) return done({ ok: false, method: 'none', reason: `${provider.name} needs an API key` })

  const listing = listRequest(provider, connection, credential, deps.env)
  if (listing) {
    const result = await exchange(listing.url, listing.init, deps, listing.proxy)
    if ('error' in result) return done({ ok: false, method: 'models', reason: result.error })
    const { status } = result.response
    if (status >= 200 && status < 300) {
      const count = parseModelList(safeJson(result.text)).length
      return done({ ok: true, method: 'models', status, reason: `connected: ${count} model${count === 1 ? '' : 's'} listed` })
    }
    if (status === 401 || status === 403) return done({ ok: false, method: 'models', status, reason: describeStatus(status, result.text, 'models') })
    // Anything else (404 on a server without /models, 405…): a real request decides.
  }

  const model = connection.models?.[0] ?? provider.models?.[0]?.id
  if (!model) return done({ ok: false, method: 'none', reason: 'no model to test with: add one to the connection\'s models' })
  let prepared
  try {
    prepared = prepareUpstream(provider, connection, { model, stream: false, body: probeBody(provider.format, model), credential, env: deps.env })
  } catch (error) {
    return done({ ok: false, method: 'probe', reason: (error as Error).message })
  }
  const result = await exchange(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) }, deps, prepared.proxy)
  if ('error' in result) return done({ ok: false, method: 'probe', reason: result.error })
  const { status } = result.response
  if (status >= 200 && status < 300) return done({ ok: true, method: 'probe', status, reason: `connected: ${model} answered` })
  if (status === 429) return done({ ok: true, method: 'probe', status, reason: describeStatus(status, result.text, 'probe') })
  if (status === 400 || status === 422) {
    return done({ ok: true, method: 'probe', status, reason: `reachable and the key was accepted, but the test request was rejected (HTTP ${status}): ${upstreamMessage(result.text)}` })
  }
  return done({ ok: false, method: 'probe', status, reason: describeStatus(status, result.text, 'probe') })
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const numberOf = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : typeof value === 'string' && Number(value) > 0 ? Number(value) : undefined)

/** Per-token price strings (OpenRouter) → per-1M prices. */
function livePricing(pricing: unknown): ModelPricing | undefined {
  if (!pricing || typeof pricing !== 'object') return undefined
  const { prompt, completion } = pricing as Record<string, unknown>
  const input = Number(prompt)
  const output = Number(completion)
  // A negative price, or one above $100,000 per 1M tokens, is no per-token price to count with.
  if (!Number.isFinite(input) || !Number.isFinite(output) || input < 0 || output < 0 || input > 0.1 || output > 0.1) return undefined
  return { input: Math.round(input * 1e6 * 1e4) / 1e4, output: Math.round(output * 1e6 * 1e4) / 1e4 }
}

/**
 * Reads any provider's model listing: OpenAI/Anthropic `{data:[{id}]}`, Gemini `{models:[{name:"models/…"}]}`,
 * Ollama `{models:[{name}]}`, or a bare array; keeps context windows and per-token prices where given.
 */
export function parseModelList(json: unknown): ModelInfo[] {
  const body = json as Record<string, unknown> | unknown[] | undefined
  const items = Array.isArray(body) ? body : Array.isArray(body?.data) ? body.data : Array.isArray(body?.models) ? body.models : []
  const models: ModelInfo[] = []
  for (const item of items as Record<string, unknown>[]) {
    const raw = typeof item === 'string' ? item : item?.id ?? item?.name ?? item?.model
    if (typeof raw !== 'string' || !raw) continue
    const model: ModelInfo = { id: raw.replace(/^models\//, '') }
    if (typeof item === 'object') {
      const contextWindow = numberOf(item.context_length ?? item.context_window ?? item.inputTokenLimit ?? item.max_context_length ?? item.max_model_len)
      if (contextWindow) model.contextWindow = contextWindow
      const pricing = livePricing(item.pricing)
      if (pricing) model.pricing = pricing
    }
    models.push(model)
  }
  return models
}

/** Built-in models first (live facts fill gaps), then the live-only ones. */
export function mergeModelLists(builtin: readonly ModelInfo[], live: readonly ModelInfo[]): ListedModel[] {
  const liveById = new Map(live.map((model) => [model.id, model]))
  const merged: ListedModel[] = builtin.map((model) => {
    const found = liveById.get(model.id)
    if (!found) return { ...model, source: 'builtin' }
    liveById.delete(model.id)
    return { ...found, ...model, contextWindow: model.contextWindow ?? found.contextWindow, pricing: model.pricing ?? found.pricing, source: 'both' }
  })
  for (const model of liveById.values()) merged.push({ ...model, source: 'live' })
  return merged
}

/** Fetched live lists by connection; refreshed on demand or after `ttlMs`. */
export type ModelListCache = Map<string, { models: ModelInfo[]; fetchedAt: number }>

const sharedModelCache: ModelListCache = new Map()

/**
 * A connection's models: the built-in list merged with `GET {base}{listModels}` where the provider offers one,
 * cached in memory for `ttlMs` (default 6 h) unless `refresh`. A failed fetch keeps the last good list.
 */
export async function listConnectionModels(
  provider: ProviderDefinition,
  connection: UpstreamConnection,
  deps: CheckDeps & { refresh?: boolean; ttlMs?: number; cache?: ModelListCache },
): Promise<ModelList> {
  const builtin = provider.models ?? []
  if (!provider.listModels) return { models: mergeModelLists(builtin, []), live: false }
  const cache = deps.cache ?? sharedModelCache
  const key = `${provider.id}\n${connection.id ?? connection.name}\n${connection.baseUrl ?? ''}`
  const cached = cache.get(key)
  if (cached && !deps.refresh && deps.now() - cached.fetchedAt < (deps.ttlMs ?? 6 * 3_600_000)) {
    return { models: mergeModelLists(builtin, cached.models), live: true, fetchedAt: cached.fetchedAt }
  }
  const stale = (error: string): ModelList =>
    cached ? { models: mergeModelLists(builtin, cached.models), live: true, fetchedAt: cached.fetchedAt, error } : { models: mergeModelLists(builtin, []), live: false, error }
  let listing
  try {
    const credential = await resolveCredential(provider, connection, { fetch: deps.fetch, now: deps.now, env: deps.env, cache: deps.credentialCache })
    listing = listRequest(provider, connection, credential, deps.env)!
  } catch (error) {
    return stale((error as Error).message)
  }
  const result = await exchange(listing.url, listing.init, deps, listing.proxy)
  if ('error' in result) return stale(result.error)
  if (!result.response.ok) return stale(describeStatus(result.response.status, result.text, 'models'))
  const models = parseModelList(safeJson(result.text))
  const fetchedAt = deps.now()
  cache.set(key, { models, fetchedAt })
  return { models: mergeModelLists(builtin, models), live: true, fetchedAt }
}
