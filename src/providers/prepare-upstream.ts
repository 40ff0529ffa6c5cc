import { ProxyError } from '../core/errors'
import type { ProviderTarget } from '../formats/types'
import { buildUpstreamHeaders, withQueryAuth } from '../upstream/headers'
import { selectProxy, type ProxyEnv } from '../upstream/proxy'
import { endpointPath, joinUrl } from './endpoints'
import { parseServiceAccount } from './shared/google-service-account'
import type { ParamRules, ProviderDefinition, UpstreamConnection } from './types'

/** A JSON request body as an object. */
export type JsonBody = Record<string, unknown>

/** What the attempt knows about the call it is about to make. */
export interface UpstreamCall {
  /** Model name as the upstream knows it. */
  model: string
  stream: boolean
  /** The JSON body about to be sent (passthrough body with `model` replaced, or the encoder's output). */
  body: JsonBody
  /** `body` already serialised (the client's own text, `model` spliced in); sent as it is when no rule changes the body. */
  bodyText?: string
  /** The secret from `resolveCredential`; required for service-account providers, else defaults to the connection's key. */
  credential?: string | null
  /** The client's headers, on same-format calls only: API version and beta opt-ins are forwarded, never its key. */
  clientHeaders?: Headers
  /** Proxy environment (`process.env` in the server, an object in tests). */
  env: ProxyEnv
}

/** The upstream request to make: where, with which headers and body, through which proxy (null: direct). */
export interface PreparedUpstream {
  url: string
  headers: Record<string, string>
  body: JsonBody
  /** The body as text, when the call brought it and nothing changed it. */
  bodyText?: string
  proxy: string | null
}

/** The param rules that apply to a model: the provider's own, then each matching model rule. */
export function rulesFor(provider: ProviderDefinition, model: string): ParamRules[] {
  return [provider, ...(provider.modelRules ?? []).filter((rule) => rule.match.test(model))]
}

/** Drops and renames top-level body fields; a rename never overwrites a field the body already has. Returns `body` itself when no rule applies. */
export function applyParamRules(body: JsonBody, rules: readonly ParamRules[]): JsonBody {
  let out = body
  const writable = () => (out === body ? (out = { ...body }) : out)
  for (const rule of rules) {
    for (const from in rule.renameParams) {
      if (!(from in out)) continue
      const to = rule.renameParams[from]
      if (!(to in out)) writable()[to] = out[from]
      delete writable()[from]
    }
    for (const name of rule.dropParams ?? []) if (name in out) delete writable()[name]
  }
  return out
}

/** Facts a cross-format encoder needs about this upstream and model (max-tokens field, stream usage, reasoning echo). */
export function providerTarget(provider: ProviderDefinition, model: string): ProviderTarget {
  const target: ProviderTarget = { model }
  for (const rule of rulesFor(provider, model)) {
    const renamed = rule.renameParams ?? {}
    if (renamed.max_tokens === 'max_completion_tokens') target.maxTokensField = 'max_completion_tokens'
    if (renamed.max_completion_tokens === 'max_tokens') target.maxTokensField = 'max_tokens'
    if (rule.dropParams?.includes('stream_options')) target.includeStreamUsage = false
    Object.assign(target, rule.target)
  }
  return target
}

/** Values for `{name}` placeholders: provider defaults, then the connection's options, then the service-account project. */
export function connectionParams(provider: ProviderDefinition, connection: UpstreamConnection, model: string): Record<string, string> {
  const params: Record<string, string> = { model }
  for (const [name, value] of Object.entries(provider.optionDefaults ?? {})) params[name] = value.replaceAll('{model}', model)
  for (const [name, value] of Object.entries(connection.options ?? {})) {
    if (typeof value === 'string' && value.trim()) params[name] = value.trim()
  }
  if (provider.auth.kind === 'google-service-account' && !params.project) {
    const project = parseServiceAccount(connection.apiKey)?.project_id
    if (project) params.project = project
  }
  return params
}

/** Fills `{name}` placeholders (URL-encoded); a missing value is a configuration error naming the option. */
function fill(template: string, params: Record<string, string>, provider: ProviderDefinition, connection: UpstreamConnection, encode = true): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) throw new ProxyError('internal', `${connection.name}: ${provider.name} needs options.${name} on the connection`)
    return encode ? encodeURIComponent(value) : value
  })
}

// A pasted full endpoint URL (`…/v1/chat/completions`, `…/v1/messages`) is trimmed back to its API base, as 9Router does.
const pastedEndpoint = /\/(chat\/completions|messages|responses)\/*$/

/** The API base for a connection: its own `baseUrl` (a pasted endpoint trimmed off) or the provider's default. */
export function baseUrlOf(provider: ProviderDefinition, connection: UpstreamConnection): string {
  const base = connection.baseUrl?.replace(pastedEndpoint, '') ?? provider.baseUrl
  if (!base) throw new ProxyError('internal', `connection "${connection.name}" has no base URL (${provider.name} needs one)`)
  return base
}

/** The full URL for a call: base + provider path prefix + the format's endpoint + the provider's query parameters. */
export function upstreamUrl(provider: ProviderDefinition, connection: UpstreamConnection, model: string, stream: boolean, credential: string | null): string {
  const params = connectionParams(provider, connection, model)
  const prefix = provider.pathPrefix ? fill(provider.pathPrefix, params, provider, connection) : ''
  let url = joinUrl(baseUrlOf(provider, connection), prefix + endpointPath(provider.format, model, stream))
  for (const [name, template] of Object.entries(provider.query ?? {})) {
    url += `${url.includes('?') ? '&' : '?'}${encodeURIComponent(name)}=${encodeURIComponent(fill(template, params, provider, connection, false))}`
  }
  return withQueryAuth(url, provider, credential)
}

interface Destination {
  url: string
  proxy: string | null
  env: ProxyEnv
}

// Where a call goes depends only on the connection (a registry reload makes new objects), model, stream,
// a query-placed credential and the proxy environment: remembered per connection, a few hundred at most.
const destinations = new WeakMap<UpstreamConnection, Map<string, Destination>>()
const MAX_DESTINATIONS = 256

/** The URL and proxy of a call, computed once per connection, model, stream and query credential. */
function whereTo(provider: ProviderDefinition, connection: UpstreamConnection, call: UpstreamCall, credential: string | null): Destination {
  let known = destinations.get(connection)
  if (!known) destinations.set(connection, (known = new Map()))
  const key = `${call.model}\u0000${call.stream}\u0000${provider.auth.kind === 'query' ? credential : ''}`
  const cached = known.get(key)
  if (cached && cached.env === call.env) return cached
  const url = upstreamUrl(provider, connection, call.model, call.stream, credential)
  const proxy = selectProxy(url, call.env, typeof connection.options?.proxy === 'string' ? connection.options.proxy : undefined)
  if (known.size >= MAX_DESTINATIONS) known.clear()
  const destination = { url, proxy, env: call.env }
  known.set(key, destination)
  return destination
}

/** The base a call that goes on from a final assistant message is sent to, if the provider serves those apart (and the connection keeps its base). */
function prefillBaseOf(provider: ProviderDefinition, connection: UpstreamConnection, body: JsonBody): string | undefined {
  const member = provider.target?.prefillMember
  if (provider.prefillBaseUrl === undefined || member === undefined) return undefined
  if (connection.baseUrl !== null && connection.baseUrl !== provider.baseUrl) return undefined
  const messages = body.messages
  const last = Array.isArray(messages) ? (messages.at(-1) as Record<string, unknown> | undefined) : undefined
  return last?.[member] === true ? provider.prefillBaseUrl : undefined
}

/**
 * Shapes one upstream call for a provider: URL (base, path prefix, endpoint, query auth), headers (its own,
 * its credential, forwarded version/beta headers), body (dropped and renamed params) and the proxy to use.
 * Pure: the credential and the proxy environment are passed in.
 */
export function prepareUpstream(provider: ProviderDefinition, connection: UpstreamConnection, call: UpstreamCall): PreparedUpstream {
  if (provider.auth.kind === 'google-service-account' && call.credential === undefined) {
    // Never fall back to the connection secret here: it is a private key, not a token.
    throw new ProxyError('internal', `${connection.name}: resolve the ${provider.name} access token first (resolveCredential)`)
  }
  const credential = provider.auth.kind === 'none' ? null : call.credential !== undefined ? call.credential : connection.apiKey ?? provider.anonymousKey ?? null
  const prefillBase = prefillBaseOf(provider, connection, call.body)
  const { url, proxy } = whereTo(provider, prefillBase ? { ...connection, baseUrl: prefillBase } : connection, call, credential)
  let body = applyParamRules(call.body, rulesFor(provider, call.model))
  // OpenAI answers 400 to stream_options on a non-streaming call.
  if (provider.format === 'openai-chat' && !call.stream && 'stream_options' in body) {
    const { stream_options: _, ...rest } = body
    body = rest
  }
  return {
    url,
    headers: buildUpstreamHeaders(provider, credential, call.clientHeaders, call.stream),
    body,
    bodyText: body === call.body ? call.bodyText : undefined,
    proxy,
  }
}
