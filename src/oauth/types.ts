/**
 * Shapes shared by the OAuth machinery and the subscription providers: the token bundle stored as
 * a connection's (encrypted) secret, the OAuth client facts of a provider, and the small hooks a
 * provider adds for its own protocol.
 * @module
 */
import type { ProviderDefinition } from '../providers/types'

/**
 * What an OAuth connection stores as its secret (JSON, AES-256-GCM encrypted by the connection store).
 * `accessToken` is what authenticates API calls unless the provider derives another credential from it.
 */
export interface OAuthTokens {
  type: 'oauth'
  provider: string
  accessToken: string
  refreshToken?: string
  /** When the access token expires (epoch ms); absent: unknown, never refreshed ahead of time. */
  expiresAt?: number
  idToken?: string
  /** The account's stable id at the provider (ChatGPT account id, GitHub login, Google email…). */
  accountId?: string
  email?: string
  /** Provider facts learnt at login: `projectId` (Google), `apiKey` (iFlow), `resourceUrl` (Qwen), `apiBase` (Copilot), `clientId`/`clientSecret`/`region` (Kiro)… */
  extra?: Record<string, unknown>
  /** Set when a refresh was refused: the account needs a new login and is skipped until then. */
  relogin?: { reason: string; at: number }
}

/** Names of the URLs a provider's flows use; every one is overridable by configuration. */
export type EndpointName = string

/** The OAuth client a provider's official tool uses, as data. */
export interface OAuthClientSpec {
  /** `authorization-code` (browser, PKCE), `device-code`, or `import` (paste a refresh token). */
  flows: readonly ('authorization-code' | 'device-code' | 'import')[]
  clientId: string
  /** Public installed-app secrets (Google, iFlow): not secret by design (RFC 8252 §8.5). */
  clientSecret?: string
  scopes: readonly string[]
  /** Default URLs by name (`authorize`, `token`, `device`, `userinfo`, `quota`, `api`…). */
  endpoints: Readonly<Record<EndpointName, string>>
  /** Redirect for the authorization-code flow: a fixed port (Codex 1455) or any free one, and the callback path. */
  redirect?: { port?: number; path: string; host?: string }
  /** Extra query parameters of the authorize URL. */
  authorizeParams?: Readonly<Record<string, string>>
  /** PKCE S256 (default true for the authorization-code flow). */
  pkce?: boolean
  /** Refresh this long before the access token expires. */
  refreshLeadMs: number
}

/** What provider hooks may use: the clock, an HTTP client (proxy-aware) and resolved endpoints. */
export interface OAuthRuntime {
  fetch: typeof fetch
  now(): number
  /** The URL of a named endpoint after configuration overrides. */
  endpoint(name: EndpointName): string
  /** Random ids (request ids, session ids); injected so tests are deterministic. */
  randomId(): string
}

/** A device-code grant in progress, as shown to the user. */
export interface DeviceCode {
  deviceCode: string
  userCode: string
  verificationUri: string
  verificationUriComplete?: string
  /** Seconds between polls. */
  interval: number
  /** Seconds until the code expires. */
  expiresIn: number
  /** Provider state the poll needs back (Kiro's registered client). */
  extra?: Record<string, unknown>
}

/** One poll of a device-code grant. */
export type DevicePoll = { status: 'pending' } | { status: 'slow-down' } | { status: 'done'; tokens: OAuthTokens }

/** The outgoing call as a subscription hook sees and reshapes it (no secrets in it). */
export interface SubscriptionRequest {
  url: string
  headers: Record<string, string>
  body: Record<string, unknown>
  /** Whether the upstream call streams (Codex always does). */
  stream: boolean
  /** The model name as the client addressed it (after the prefix). */
  model: string
}

/** Facts a `prepare` hook may use: the stored tokens and ids. */
export interface PrepareContext {
  tokens: OAuthTokens
  /** The API base after connection `baseUrl` and configuration overrides. */
  apiBase: string
  randomId(): string
  now(): number
}

/** One quota window (a 5-hour session, a week, a monthly premium allowance, one model's share). */
export interface QuotaWindow {
  name: string
  /** Percent used, 0–100, when the provider reports it. */
  usedPercent?: number
  used?: number
  total?: number
  remaining?: number
  unlimited?: boolean
  /** When the window resets (epoch ms). */
  resetAt?: number
  /** The window only limits these models (Antigravity per-model quotas); absent: the whole account. */
  models?: readonly string[]
}

/** A provider's quota answer for one account. */
export interface QuotaSnapshot {
  provider: string
  connectionId: number
  /** When it was read (epoch ms). */
  readAt: number
  plan?: string
  windows: QuotaWindow[]
  /** The provider says a limit was reached (Codex `limit_reached`). */
  limitReached?: boolean
  message?: string
}

/** A subscription provider: its routing definition plus OAuth data and the few hooks its protocol needs. */
export interface SubscriptionProvider {
  definition: ProviderDefinition
  oauth: OAuthClientSpec
  /** Builds the authorize URL when the provider's differs from RFC 6749's (iFlow's `redirect` parameter). */
  authorizeUrl?(runtime: OAuthRuntime, input: { redirectUri: string; state: string; codeChallenge?: string }): string
  /** Exchanges an authorization code (default: RFC 6749 form POST to `token`). */
  exchangeCode?(runtime: OAuthRuntime, input: { code: string; codeVerifier?: string; redirectUri: string; state?: string }): Promise<OAuthTokens>
  /** Starts a device-code grant. */
  requestDeviceCode?(runtime: OAuthRuntime, input: { codeChallenge?: string }): Promise<DeviceCode>
  /** Polls a device-code grant once. */
  pollDeviceCode?(runtime: OAuthRuntime, device: { deviceCode: string; codeVerifier?: string; extra?: Record<string, unknown> }): Promise<DevicePoll>
  /** Turns an imported refresh token into tokens (Kiro). */
  importToken?(runtime: OAuthRuntime, input: { refreshToken: string; extra?: Record<string, unknown> }): Promise<OAuthTokens>
  /** Completes a login: user info, project discovery, derived credentials. */
  completeLogin?(runtime: OAuthRuntime, tokens: OAuthTokens): Promise<OAuthTokens>
  /** New tokens from the refresh token (default: RFC 6749 refresh grant, form POST to `token`). */
  refresh?(runtime: OAuthRuntime, tokens: OAuthTokens): Promise<OAuthTokens>
  /** The API base for these tokens when it depends on them (Qwen `resource_url`, Copilot `endpoints.api`). */
  apiBase?(tokens: OAuthTokens): string | undefined
  /** Reshapes an outgoing call: URL, headers, body (envelopes, body rules), stream flag. Pure. */
  prepare?(request: SubscriptionRequest, context: PrepareContext): SubscriptionRequest
  /** Headers that carry the credential, computed at send time (default `Authorization: Bearer <accessToken>`). */
  authHeaders?(tokens: OAuthTokens, context: { now(): number; randomId(): string }): Record<string, string>
  /** Turns a successful upstream answer into the provider's declared wire format (envelope unwrap, binary decode). */
  adaptResponse?(response: Response, context: { model: string; now(): number; randomId(): string }): Response
  /**
   * A second endpoint some models are only served on (Copilot's `/responses`): when a failed answer
   * says so (`needed`), the service remembers the model for the connection and sends it there from
   * then on, reshaped by `prepare` and answered back in the declared format by `adaptResponse`.
   */
  alternate?: {
    needed(status: number, text: string): boolean
    prepare(request: SubscriptionRequest, context: PrepareContext): SubscriptionRequest
    adaptResponse(response: Response, context: { model: string; now(): number; randomId(): string }): Response
  }
  /** Endpoint names of further API bases tried in order when the API base answers 5xx or 429 (Antigravity's sandbox). */
  failoverEndpoints?: readonly EndpointName[]
  /** Reads the account's quota. */
  readQuota?(runtime: OAuthRuntime, tokens: OAuthTokens, apiBase: string): Promise<Omit<QuotaSnapshot, 'provider' | 'connectionId' | 'readAt'>>
}
