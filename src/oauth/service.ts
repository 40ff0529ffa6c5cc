/**
 * The OAuth service: logins (authorization code with PKCE, device code, token import), token storage on
 * connections, refresh ahead of expiry (single-flight: concurrent requests share one refresh), one
 * refresh-and-retry on 401/403, "needs re-login" marking, quota reads, and the per-call preparation the
 * attempt path uses for subscription providers.
 * @module
 */
import type { Database } from 'bun:sqlite'
import { prepareUpstream, type PreparedUpstream } from '../providers/prepare-upstream'
import { getSubscriptionProvider, subscriptionProviders } from '../providers/subscription'
import type { ProviderDefinition } from '../providers/types'
import type { Connection } from '../store/connections'
import { selectProxy, withProxy, type ProxyEnv } from '../upstream/proxy'
import { resolveEndpoint, type OAuthOverrides } from './endpoints'
import { refreshStandard } from './flows'
import { OAuthError } from './http'
import { createLoginFlows } from './logins'
import { createQuotaStore } from './quota'
import { createScheduler } from './scheduler'
import { createTokenStore } from './token-store'
import type { OAuthRuntime, OAuthTokens, QuotaSnapshot, SubscriptionProvider, SubscriptionRequest } from './types'

/** What the service needs from the app: the store, the clock, fetch, env and the current snapshot. */
export interface OAuthServiceDeps {
  db: Database
  encryptionKey: Buffer
  fetch: typeof fetch
  now(): number
  /** Proxy variables and `MODELMUX_OAUTH_*` endpoint overrides. */
  env: ProxyEnv
  /** `settings.oauth`: endpoint overrides per provider. */
  overrides(): OAuthOverrides | undefined
  /** The connections routing currently knows (the registry snapshot). */
  connections(): readonly Connection[]
  /** Rebuilds the registry after the service wrote a connection. */
  reload(): void
  /** A refresh was refused: mark the connection "needs re-login" (health tracker). */
  onNeedsRelogin?(connectionId: number, reason: string): void
  /** A login was saved: clear the connection's old failure marks. */
  onLoggedIn?(connectionId: number): void
  randomId?(): string
  /** Subscription providers (default: all built in). */
  providers?: readonly SubscriptionProvider[]
}

/** A started authorization-code login. */
export type { AuthorizationStart } from './logins'

/**
 * What a subscription call sends: URL, headers without the credential, body, stream flag, and a fetch that
 * authenticates. Shaped like `PreparedUpstream` (its proxy is already applied inside `fetch`).
 */
export interface PreparedSubscriptionCall extends PreparedUpstream {
  /** Whether the upstream call streams (Codex and Kiro always do, whatever the client asked). */
  stream: boolean
  /**
   * Sends the call: adds the credential (refreshed first when due), refreshes once and retries on
   * 401/403, answers 401 "needs re-login" without calling out when the account needs a new login,
   * and adapts a successful answer to the provider's wire format.
   */
  fetch: typeof fetch
}

/** A connection's OAuth state for the dashboard. */
export interface OAuthStatus {
  provider: string
  email?: string
  accountId?: string
  expiresAt?: number
  needsRelogin?: string
  quota?: QuotaSnapshot
}

/** A token this close to expiry is not used even if a refresh failed for a passing reason. */
const EXPIRY_SLACK_MS = 30_000

/** Creates the OAuth service. */
export function createOAuthService(deps: OAuthServiceDeps) {
  const list = deps.providers ?? subscriptionProviders
  const randomId = deps.randomId ?? (() => crypto.randomUUID())
  const tokens = createTokenStore({ db: deps.db, encryptionKey: deps.encryptionKey, now: deps.now, onWrite: deps.reload })
  const quotas = createQuotaStore(deps.now)
  const inflight = new Map<number, Promise<OAuthTokens>>()
  /** Per connection: models found to need the provider's alternate endpoint (Copilot `/responses`). */
  const alternates = new Map<number, Set<string>>()

  const find = (idOrAlias: string): SubscriptionProvider => {
    const provider = list.find((p) => p.definition.id === idOrAlias || p.definition.aliases.includes(idOrAlias)) ?? (deps.providers ? undefined : getSubscriptionProvider(idOrAlias))
    if (!provider) throw new OAuthError(`unknown subscription provider "${idOrAlias}"`, true)
    return provider
  }
  const proxiedFetch: typeof fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    return withProxy(deps.fetch, selectProxy(url, deps.env))(input, init)
  }) as typeof fetch
  const runtimeFor = (provider: SubscriptionProvider): OAuthRuntime => ({
    fetch: proxiedFetch,
    now: deps.now,
    randomId,
    endpoint: (name) => resolveEndpoint(provider.definition.id, name, { ...provider.oauth.endpoints, api: provider.definition.baseUrl ?? '' }, deps.overrides(), deps.env),
  })

  /** The API base for a connection: its own `baseUrl`, then configuration, then what its tokens say, then the default. */
  const apiBaseOf = (provider: SubscriptionProvider, connection: Pick<Connection, 'baseUrl'>, stored: OAuthTokens): string => {
    if (connection.baseUrl) return connection.baseUrl
    const base = provider.apiBase?.(stored) ?? provider.definition.baseUrl ?? ''
    return resolveEndpoint(provider.definition.id, 'api', { api: base }, deps.overrides(), deps.env)
  }

  async function finishLogin(provider: SubscriptionProvider, obtained: OAuthTokens, name?: string): Promise<Connection> {
    const runtime = runtimeFor(provider)
    const completed = provider.completeLogin ? await provider.completeLogin(runtime, obtained) : obtained
    const connection = tokens.saveLogin({ provider: provider.definition.id, alias: provider.definition.aliases[0] ?? provider.definition.id, tokens: completed, name })
    inflight.delete(connection.id)
    quotas.delete(connection.id)
    deps.onLoggedIn?.(connection.id)
    return connection
  }

  /** Marks a connection "needs re-login" (persisted in its bundle, so it survives a restart). */
  function markRelogin(connection: Connection, stored: OAuthTokens, reason: string): void {
    tokens.update(connection, { ...stored, relogin: { reason, at: deps.now() } })
    deps.onNeedsRelogin?.(connection.id, reason)
  }

  /** Refreshes a connection's tokens; concurrent callers share one refresh. */
  function refreshShared(connection: Connection): Promise<OAuthTokens> {
    const running = inflight.get(connection.id)
    if (running) return running
    const provider = find(connection.provider)
    const work = (async () => {
      const stored = tokens.current(connection)
      if (!stored) throw new OAuthError(`${connection.name}: no OAuth tokens stored; log in again`, true)
      if (stored.relogin) throw new OAuthError(stored.relogin.reason, true)
      const runtime = runtimeFor(provider)
      try {
        const renewed = provider.refresh ? await provider.refresh(runtime, stored) : await refreshStandard(provider, runtime, stored)
        const next: OAuthTokens = { ...renewed, relogin: undefined }
        tokens.update(connection, next)
        return next
      } catch (error) {
        if (error instanceof OAuthError && error.permanent) markRelogin(connection, stored, `refresh refused: ${error.message}`)
        throw error
      }
    })()
    inflight.set(connection.id, work)
    work.then(
      () => inflight.delete(connection.id),
      () => inflight.delete(connection.id),
    )
    return work
  }

  /** Tokens fit to send: refreshed first when within the provider's lead time; a passing refresh failure keeps a still-valid token. */
  async function ensureFresh(connection: Connection): Promise<OAuthTokens> {
    const stored = tokens.current(connection)
    if (!stored) throw new OAuthError(`${connection.name}: no OAuth tokens stored; log in again`, true)
    if (stored.relogin) return stored
    const provider = find(connection.provider)
    const time = deps.now()
    if (stored.expiresAt === undefined || stored.expiresAt - time > provider.oauth.refreshLeadMs) return stored
    try {
      return await refreshShared(connection)
    } catch (error) {
      if (error instanceof OAuthError && error.permanent) return tokens.current(connection) ?? stored
      if (stored.expiresAt - deps.now() > EXPIRY_SLACK_MS) return stored
      throw error
    }
  }

  /** After a 401/403 with `seen`: refresh unless another request already did. */
  async function refreshAfterRejection(connection: Connection, seen: OAuthTokens): Promise<OAuthTokens> {
    const running = inflight.get(connection.id)
    if (running) return running
    const latest = tokens.current(connection)
    if (latest && latest.accessToken !== seen.accessToken && !latest.relogin) return latest
    return refreshShared(connection)
  }

  const reloginResponse = (connection: Connection, reason: string) =>
    Response.json(
      { error: { type: 'authentication_error', code: 'needs_relogin', message: `${connection.name} needs a new login (modelmux login ${connection.provider}): ${reason}` } },
      { status: 401 },
    )

  /** Reads a connection's quota from its provider and stores it; undefined when the provider has no quota API. */
  async function readQuota(connection: Connection): Promise<QuotaSnapshot | undefined> {
    const provider = find(connection.provider)
    if (!provider.readQuota) return undefined
    const current = await ensureFresh(connection)
    if (current.relogin) throw new OAuthError(current.relogin.reason, true)
    const read = await provider.readQuota(runtimeFor(provider), current, apiBaseOf(provider, connection, current))
    const snapshot: QuotaSnapshot = { ...read, provider: provider.definition.id, connectionId: connection.id, readAt: deps.now() }
    quotas.set(snapshot)
    return snapshot
  }

  const loginFlows = createLoginFlows({ now: deps.now, find, runtimeFor, finishLogin, emailOf: (connection) => tokens.current(connection)?.email })

  const service = {
    /** The subscription provider for an id or alias (throws OAuthError when unknown). */
    provider: find,
    /** A connection by id: from the routing snapshot, else from the store (a provider routing does not know yet). */
    connectionById(id: number): Connection | undefined {
      return deps.connections().find((connection) => connection.id === id) ?? tokens.find(id)
    },
    /** Whether a provider id is a subscription provider. */
    handles(providerId: string): boolean {
      return list.some((p) => p.definition.id === providerId)
    },
    /** The runtime (fetch, clock, resolved endpoints) for a provider's hooks. */
    runtimeFor,

    // ── logins ──────────────────────────────────────────────────────────────
    ...loginFlows,

    // ── tokens ──────────────────────────────────────────────────────────────

    /** The newest stored tokens of a connection. */
    tokensOf(connection: Pick<Connection, 'id' | 'apiKey'>): OAuthTokens | undefined {
      return tokens.current(connection)
    },
    ensureFresh,
    /** Refreshes now (single-flight), whatever the expiry. */
    refresh: refreshShared,

    /**
     * Prepares one upstream call to a subscription provider: URL, headers (no credential), body and
     * stream flag after the provider's rules, and a fetch that authenticates (see PreparedSubscriptionCall).
     */
    prepareCall(
      definition: ProviderDefinition,
      connection: Connection,
      call: { model: string; stream: boolean; body: Record<string, unknown>; clientHeaders?: Headers },
    ): PreparedSubscriptionCall {
      const provider = find(definition.id)
      const stored = tokens.current(connection)
      if (!stored) throw new OAuthError(`${connection.name}: no OAuth tokens stored; log in again (modelmux login ${definition.id})`, true)
      const apiBase = apiBaseOf(provider, connection, stored)
      const base = prepareUpstream(definition, { ...connection, baseUrl: apiBase }, { ...call, credential: null, env: deps.env })
      const contextFor = (api: string) => ({ tokens: stored, apiBase: api, randomId, now: deps.now })
      /** The call shaped by the provider's rules for one API base. */
      const shape = (api: string, upstream = base): SubscriptionRequest => {
        const request = { url: upstream.url, headers: upstream.headers, body: upstream.body, stream: call.stream, model: call.model }
        return provider.prepare ? provider.prepare(request, contextFor(api)) : request
      }
      const primary = shape(apiBase)
      const { alternate } = provider
      const remembered = alternates.get(connection.id)
      const onAlternate = alternate !== undefined && remembered?.has(call.model) === true
      const shaped = onAlternate ? alternate.prepare(primary, contextFor(apiBase)) : primary
      // Further API bases, tried on 5xx/429 (not when the connection names its own base).
      const failover = connection.baseUrl ? [] : (provider.failoverEndpoints ?? []).map((name) => runtimeFor(provider).endpoint(name))
      const transport = withProxy(deps.fetch, base.proxy)
      const authHeaders = (current: OAuthTokens) =>
        provider.authHeaders ? provider.authHeaders(current, { now: deps.now, randomId }) : { authorization: `Bearer ${current.accessToken}` }
      const adaptContext = { model: call.model, now: deps.now, randomId }
      const adapt = (response: Response) => (response.ok && provider.adaptResponse ? provider.adaptResponse(response, adaptContext) : response)
      const adaptAlternate = (response: Response) => (response.ok && alternate ? alternate.adaptResponse(response, adaptContext) : response)
      const sendWith = (input: RequestInfo | URL, init: RequestInit | undefined, current: OAuthTokens) =>
        transport(input, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), ...authHeaders(current) } })
      /** The same call reshaped (another URL, headers, body). */
      const reshaped = (init: RequestInit | undefined, request: SubscriptionRequest): RequestInit => ({
        ...init,
        headers: { ...(init?.headers as Record<string, string> | undefined), ...request.headers },
        body: JSON.stringify(request.body),
      })

      /** Sends with the credential: refreshed first when due, once more after a 401/403; the raw answer. */
      const authenticated = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
        let current: OAuthTokens
        try {
          current = await ensureFresh(connection)
        } catch (error) {
          if (error instanceof OAuthError && error.permanent) return reloginResponse(connection, error.message)
          throw error
        }
        if (current.relogin) return reloginResponse(connection, current.relogin.reason)
        const first = await sendWith(input, init, current)
        if (first.status !== 401 && first.status !== 403) return first
        const text = await first.text().catch(() => '')
        let renewed: OAuthTokens
        try {
          renewed = await refreshAfterRejection(connection, current)
        } catch (error) {
          if (error instanceof OAuthError && error.permanent) return reloginResponse(connection, error.message)
          return new Response(text, { status: first.status, statusText: first.statusText, headers: first.headers })
        }
        if (init?.signal?.aborted) return new Response(text, { status: first.status, headers: first.headers })
        return sendWith(input, init, renewed)
      }

      const send = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
        let answer = await authenticated(input, init)
        if (onAlternate) return adaptAlternate(answer)
        if (alternate && answer.status >= 400 && answer.status < 500 && answer.status !== 401 && answer.status !== 403) {
          const text = await answer.text().catch(() => '')
          if (!alternate.needed(answer.status, text)) return new Response(text, { status: answer.status, statusText: answer.statusText, headers: answer.headers })
          // This model lives on the other endpoint: remember it for this connection and go there now.
          alternates.set(connection.id, (alternates.get(connection.id) ?? new Set<string>()).add(call.model))
          const moved = alternate.prepare(primary, contextFor(apiBase))
          return adaptAlternate(await authenticated(moved.url, reshaped(init, moved)))
        }
        for (const api of failover) {
          if ((answer.status !== 429 && answer.status < 500) || init?.signal?.aborted) break
          await answer.body?.cancel().catch(() => {})
          const next = shape(api, prepareUpstream(definition, { ...connection, baseUrl: api }, { ...call, credential: null, env: deps.env }))
          answer = await authenticated(next.url, reshaped(init, next))
        }
        return adapt(answer)
      }
      return { url: shaped.url, headers: shaped.headers, body: shaped.body, proxy: null, stream: shaped.stream, fetch: send as typeof fetch }
    },

    // ── status, quota, scheduling ───────────────────────────────────────────

    /** A connection's OAuth state for the dashboard (undefined for API-key connections). */
    status(connection: Connection): OAuthStatus | undefined {
      if (!list.some((p) => p.definition.id === connection.provider)) return undefined
      const stored = tokens.current(connection)
      if (!stored) return { provider: connection.provider, needsRelogin: 'no OAuth tokens stored' }
      return {
        provider: connection.provider,
        email: stored.email,
        accountId: stored.accountId,
        expiresAt: stored.expiresAt,
        needsRelogin: stored.relogin?.reason,
        quota: quotas.get(connection.id),
      }
    },
    /**
     * Whether routing should skip this connection for this model: it needs a new login, or its quota is
     * known to be used up until a reset time. Returns the health tracker's `Unavailable` shape.
     */
    check(connection: Connection, model: string): { kind: 'rate-limit' | 'auth'; until?: number; reason: string } | undefined {
      if (!list.some((p) => p.definition.id === connection.provider)) return undefined
      const stored = tokens.current(connection)
      if (stored?.relogin) return { kind: 'auth', reason: `needs re-login: ${stored.relogin.reason}` }
      return quotas.check(connection.id, model)
    },
    /** The stored quota snapshot of a connection. */
    getQuota(connectionId: number): QuotaSnapshot | undefined {
      return quotas.get(connectionId)
    },
    /** Every stored quota snapshot. */
    listQuotas(): QuotaSnapshot[] {
      return quotas.all()
    },
    readQuota,
    ...createScheduler({
      db: deps.db,
      now: deps.now,
      reload: deps.reload,
      connections: () => deps.connections().filter((connection) => connection.enabled && list.some((p) => p.definition.id === connection.provider)),
      leadMs: (connection) => find(connection.provider).oauth.refreshLeadMs,
      hasQuota: (connection) => find(connection.provider).readQuota !== undefined,
      tokensOf: (connection) => tokens.current(connection),
      refresh: refreshShared,
      readQuota,
    }),
  }
  return service
}

/** The OAuth service's interface. */
export type OAuthService = ReturnType<typeof createOAuthService>
