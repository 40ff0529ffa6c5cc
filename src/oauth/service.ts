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
import { buildAuthorizeUrl, exchangeCodeStandard, parsePastedCode, pollDeviceCodeStandard, refreshStandard, requestDeviceCodeStandard } from './flows'
import { OAuthError } from './http'
import { codeChallengeOf, createCodeVerifier, createState } from './pkce'
import { createQuotaStore } from './quota'
import { createScheduler } from './scheduler'
import { createTokenStore } from './token-store'
import type { DeviceCode, OAuthRuntime, OAuthTokens, QuotaSnapshot, SubscriptionProvider } from './types'

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

/** A started authorization-code login, as the dashboard (9Router's shape) and the CLI need it. */
export interface AuthorizationStart {
  authUrl: string
  state: string
  codeVerifier?: string
  codeChallenge?: string
  redirectUri: string
}

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

const PENDING_TTL_MS = 15 * 60_000
/** A token this close to expiry is not used even if a refresh failed for a passing reason. */
const EXPIRY_SLACK_MS = 30_000

/** Creates the OAuth service. */
export function createOAuthService(deps: OAuthServiceDeps) {
  const list = deps.providers ?? subscriptionProviders
  const randomId = deps.randomId ?? (() => crypto.randomUUID())
  const tokens = createTokenStore({ db: deps.db, encryptionKey: deps.encryptionKey, now: deps.now, onWrite: deps.reload })
  const quotas = createQuotaStore(deps.now)
  const inflight = new Map<number, Promise<OAuthTokens>>()
  const pendingAuthorizations = new Map<string, { provider: string; codeVerifier?: string; redirectUri: string; expiresAt: number }>()
  const pendingDevices = new Map<string, { provider: string; codeVerifier?: string; extra?: Record<string, unknown>; expiresAt: number }>()

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
  const sweep = () => {
    const time = deps.now()
    for (const [key, value] of pendingAuthorizations) if (value.expiresAt < time) pendingAuthorizations.delete(key)
    for (const [key, value] of pendingDevices) if (value.expiresAt < time) pendingDevices.delete(key)
  }

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

    /** Starts an authorization-code login: the URL to open and the state to expect back. */
    beginAuthorization(providerId: string, input: { redirectUri: string }): AuthorizationStart {
      sweep()
      const provider = find(providerId)
      const pkce = provider.oauth.pkce !== false
      const codeVerifier = pkce ? createCodeVerifier() : undefined
      const codeChallenge = codeVerifier ? codeChallengeOf(codeVerifier) : undefined
      const state = createState()
      const authorize = { redirectUri: input.redirectUri, state, codeChallenge }
      const authUrl = provider.authorizeUrl ? provider.authorizeUrl(runtimeFor(provider), authorize) : buildAuthorizeUrl(provider, runtimeFor(provider), authorize)
      pendingAuthorizations.set(state, { provider: provider.definition.id, codeVerifier, redirectUri: input.redirectUri, expiresAt: deps.now() + PENDING_TTL_MS })
      return { authUrl, state, codeVerifier, codeChallenge, redirectUri: input.redirectUri }
    },
    /**
     * Completes an authorization-code login from a code (or a pasted callback URL / `code#state`),
     * saves the account and returns its connection.
     */
    async completeAuthorization(providerId: string, input: { code: string; state?: string; codeVerifier?: string; redirectUri?: string; name?: string }): Promise<Connection> {
      sweep()
      const provider = find(providerId)
      const pasted = parsePastedCode(input.code)
      if (!pasted) throw new OAuthError('no authorization code given', true)
      const state = input.state ?? pasted.state
      const pending = state ? pendingAuthorizations.get(state) : undefined
      if (pasted.state && input.state && pasted.state !== input.state) throw new OAuthError('the pasted code belongs to another login attempt (state mismatch)', true)
      const codeVerifier = input.codeVerifier ?? pending?.codeVerifier
      const redirectUri = input.redirectUri ?? pending?.redirectUri
      if (!redirectUri) throw new OAuthError('unknown or expired login attempt: start the login again', true)
      if (provider.oauth.pkce !== false && !codeVerifier) throw new OAuthError('unknown or expired login attempt (no PKCE verifier): start the login again', true)
      const runtime = runtimeFor(provider)
      const exchanged = provider.exchangeCode
        ? await provider.exchangeCode(runtime, { code: pasted.code, codeVerifier, redirectUri, state })
        : await exchangeCodeStandard(provider, runtime, { code: pasted.code, codeVerifier, redirectUri })
      if (state) pendingAuthorizations.delete(state)
      return finishLogin(provider, exchanged, input.name)
    },
    /** Starts a device-code login. */
    async beginDeviceLogin(providerId: string): Promise<DeviceCode & { codeVerifier?: string }> {
      sweep()
      const provider = find(providerId)
      const runtime = runtimeFor(provider)
      const usesPkce = provider.oauth.pkce === true
      const codeVerifier = usesPkce ? createCodeVerifier() : undefined
      const input = { codeChallenge: codeVerifier ? codeChallengeOf(codeVerifier) : undefined }
      const device = provider.requestDeviceCode ? await provider.requestDeviceCode(runtime, input) : await requestDeviceCodeStandard(provider, runtime, input)
      pendingDevices.set(device.deviceCode, { provider: provider.definition.id, codeVerifier, extra: device.extra, expiresAt: deps.now() + device.expiresIn * 1000 })
      return { ...device, codeVerifier }
    },
    /** Polls a device-code login once: `{pending}` until the user approved, then the saved connection. */
    async pollDeviceLogin(
      providerId: string,
      input: { deviceCode: string; codeVerifier?: string; extra?: Record<string, unknown>; name?: string },
    ): Promise<{ pending: true; slowDown?: boolean } | { pending: false; connection: Connection }> {
      const provider = find(providerId)
      const pending = pendingDevices.get(input.deviceCode)
      const device = { deviceCode: input.deviceCode, codeVerifier: input.codeVerifier ?? pending?.codeVerifier, extra: input.extra ?? pending?.extra }
      const runtime = runtimeFor(provider)
      const poll = provider.pollDeviceCode ? await provider.pollDeviceCode(runtime, device) : await pollDeviceCodeStandard(provider, runtime, device)
      if (poll.status === 'pending') return { pending: true }
      if (poll.status === 'slow-down') return { pending: true, slowDown: true }
      pendingDevices.delete(input.deviceCode)
      return { pending: false, connection: await finishLogin(provider, poll.tokens, input.name) }
    },
    /** Saves an account from a pasted refresh token (Kiro). */
    async importRefreshToken(providerId: string, input: { refreshToken: string; extra?: Record<string, unknown>; name?: string }): Promise<Connection> {
      const provider = find(providerId)
      if (!provider.importToken) throw new OAuthError(`${provider.definition.name} does not take imported tokens`, true)
      return finishLogin(provider, await provider.importToken(runtimeFor(provider), input), input.name)
    },

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
      const shaped = provider.prepare
        ? provider.prepare({ url: base.url, headers: base.headers, body: base.body, stream: call.stream, model: call.model }, { tokens: stored, apiBase, randomId, now: deps.now })
        : { url: base.url, headers: base.headers, body: base.body, stream: call.stream, model: call.model }
      const transport = withProxy(deps.fetch, base.proxy)
      const authHeaders = (current: OAuthTokens) =>
        provider.authHeaders ? provider.authHeaders(current, { now: deps.now, randomId }) : { authorization: `Bearer ${current.accessToken}` }
      const adapt = (response: Response) => (response.ok && provider.adaptResponse ? provider.adaptResponse(response, { model: call.model, now: deps.now, randomId }) : response)
      const sendWith = (input: RequestInfo | URL, init: RequestInit | undefined, current: OAuthTokens) =>
        transport(input, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), ...authHeaders(current) } })

      const send = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
        let current: OAuthTokens
        try {
          current = await ensureFresh(connection)
        } catch (error) {
          if (error instanceof OAuthError && error.permanent) return reloginResponse(connection, error.message)
          throw error
        }
        if (current.relogin) return reloginResponse(connection, current.relogin.reason)
        const first = await sendWith(input, init, current)
        if (first.status !== 401 && first.status !== 403) return adapt(first)
        const text = await first.text().catch(() => '')
        let renewed: OAuthTokens
        try {
          renewed = await refreshAfterRejection(connection, current)
        } catch (error) {
          if (error instanceof OAuthError && error.permanent) return reloginResponse(connection, error.message)
          return new Response(text, { status: first.status, statusText: first.statusText, headers: first.headers })
        }
        if (init?.signal?.aborted) return new Response(text, { status: first.status, headers: first.headers })
        return adapt(await sendWith(input, init, renewed))
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
