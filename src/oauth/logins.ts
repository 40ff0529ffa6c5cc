/**
 * The login flows of the OAuth service: authorization code with PKCE (pasted code or a local
 * callback listener), device code, refresh-token import. What is in progress lives in one
 * `PendingLogins` store per service, so every caller of the app's service sees the same logins.
 * @module
 */
import type { Connection } from '../store/connections'
import { LISTENER_TIMEOUT, startCallbackListener } from './callback-listener'
import { buildAuthorizeUrl, exchangeCodeStandard, parsePastedCode, pollDeviceCodeStandard, requestDeviceCodeStandard } from './flows'
import { OAuthError } from './http'
import { createPendingLogins, PENDING_TTL_MS, type ListenedLogin } from './pending-logins'
import { codeChallengeOf, createCodeVerifier, createState } from './pkce'
import type { DeviceCode, OAuthRuntime, OAuthTokens, SubscriptionProvider } from './types'

/** A started authorization-code login, as the dashboard (9Router's shape) and the CLI need it. */
export interface AuthorizationStart {
  authUrl: string
  state: string
  codeVerifier?: string
  codeChallenge?: string
  redirectUri: string
}

/** What the login flows need from the service. */
export interface LoginFlowDeps {
  now(): number
  find(idOrAlias: string): SubscriptionProvider
  runtimeFor(provider: SubscriptionProvider): OAuthRuntime
  /** Completes and saves a login (user info, project discovery…), returning its connection. */
  finishLogin(provider: SubscriptionProvider, obtained: OAuthTokens, name?: string): Promise<Connection>
  /** The account email stored for a connection. */
  emailOf(connection: Connection): string | undefined
}

/** Creates the login flows and their store of logins in progress. */
export function createLoginFlows(deps: LoginFlowDeps) {
  const { find, runtimeFor, finishLogin } = deps
  const logins = createPendingLogins(deps.now)
  const { authorizations: pendingAuthorizations, devices: pendingDevices, sweep } = logins

  /** Exchanges an authorization code (or a pasted callback URL / `code#state`) and saves the account. */
  async function completeCode(providerId: string, input: { code: string; state?: string; codeVerifier?: string; redirectUri?: string; name?: string }): Promise<{ connection: Connection; state?: string }> {
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
    return { connection: await finishLogin(provider, exchanged, input.name), state }
  }

  const loginConnection = (connection: Connection) => ({ id: connection.id, name: connection.name, provider: connection.provider, email: deps.emailOf(connection) })
  const flows = {
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
     * saves the account and returns its connection; a local listener still waiting for it is closed.
     */
    async completeAuthorization(providerId: string, input: { code: string; state?: string; codeVerifier?: string; redirectUri?: string; name?: string }): Promise<Connection> {
      const { connection, state } = await completeCode(providerId, input)
      if (state) logins.settle(state, { status: 'done', connection: loginConnection(connection) })
      return connection
    },
    /**
     * Starts an authorization-code login whose browser redirect a local listener on the provider's
     * redirect port catches and completes (`listening: false` when the port is busy: paste instead).
     * Its progress is `loginStatus(state)`; the listener gives up after `timeoutMs` (default 5 minutes).
     */
    listenForAuthorization(providerId: string, options: { timeoutMs?: number } = {}): AuthorizationStart & { listening: boolean } {
      sweep()
      const provider = find(providerId)
      const redirect = provider.oauth.redirect ?? { path: '/callback' }
      const listenOptions: Parameters<typeof startCallbackListener>[0] = {
        port: redirect.port,
        path: redirect.path,
        timeoutMs: options.timeoutMs,
        onCode: async ({ code, state }) => {
          try {
            const { connection } = await completeCode(provider.definition.id, { code, state })
            // The listener closes itself once the browser has its page.
            logins.settle(state!, { status: 'done', connection: loginConnection(connection) }, false)
            return `Saved as connection "${connection.name}".`
          } catch (error) {
            logins.settle(state!, { status: 'error', error: (error as Error).message }, false)
            throw error
          }
        },
      }
      const listener = startCallbackListener(listenOptions)
      const started = flows.beginAuthorization(provider.definition.id, { redirectUri: listener?.redirectUri ?? `http://localhost:${redirect.port ?? 0}${redirect.path}` })
      if (!listener) return { ...started, listening: false }
      // Read at each request: redirects carrying another state are refused without ending the wait.
      listenOptions.expectedState = started.state
      logins.listen(started.state, listener)
      listener.result.catch((error: unknown) => {
        const expired = error instanceof OAuthError && error.code === LISTENER_TIMEOUT
        logins.settle(started.state, expired ? { status: 'expired', error: error.message } : { status: 'error', error: (error as Error).message })
      })
      return { ...started, listening: true }
    },
    /** Where a listened login stands (`pending`, `done`, `error`, `expired`); undefined when unknown or forgotten. */
    loginStatus(state: string): ListenedLogin | undefined {
      sweep()
      return logins.status(state)
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
  }
  return flows
}
