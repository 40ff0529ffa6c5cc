/**
 * The standard OAuth 2.0 pieces most providers use as they are: the authorize URL, the code exchange,
 * the refresh grant and the device authorization grant. Providers override a step with a hook only
 * where their protocol differs.
 * @see https://datatracker.ietf.org/doc/html/rfc6749
 * @see https://datatracker.ietf.org/doc/html/rfc8628
 * @module
 */
import { expiryFrom, OAuthError, requestToken, sendRequest, describeError, stringField } from './http'
import type { DeviceCode, DevicePoll, OAuthRuntime, OAuthTokens, SubscriptionProvider } from './types'

/** The authorize URL for a PKCE authorization-code login. */
export function buildAuthorizeUrl(
  provider: SubscriptionProvider,
  runtime: Pick<OAuthRuntime, 'endpoint'>,
  input: { redirectUri: string; state: string; codeChallenge?: string },
): string {
  const { oauth } = provider
  const url = new URL(runtime.endpoint('authorize'))
  const params: Record<string, string> = {
    ...oauth.authorizeParams,
    client_id: oauth.clientId,
    response_type: 'code',
    redirect_uri: input.redirectUri,
    state: input.state,
  }
  if (oauth.scopes.length > 0) params.scope = oauth.scopes.join(' ')
  if (input.codeChallenge) {
    params.code_challenge = input.codeChallenge
    params.code_challenge_method = 'S256'
  }
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return url.toString()
}

/** Builds the token bundle from a token-endpoint answer (snake_case, RFC 6749 §5.1). */
export function tokensFromAnswer(providerId: string, json: Record<string, unknown>, now: number, previous?: OAuthTokens): OAuthTokens {
  const accessToken = stringField(json, 'access_token') ?? stringField(json, 'accessToken')
  if (!accessToken) throw new OAuthError(`${providerId}: the token endpoint answered without an access token`, false)
  return {
    ...previous,
    type: 'oauth',
    provider: providerId,
    accessToken,
    // A refresh answer without a new refresh token keeps the old one (RFC 6749 §6).
    refreshToken: stringField(json, 'refresh_token') ?? stringField(json, 'refreshToken') ?? previous?.refreshToken,
    expiresAt: expiryFrom(json, now) ?? expiryFrom(json, now, 'expiresIn'),
    idToken: stringField(json, 'id_token') ?? previous?.idToken,
    relogin: undefined,
  }
}

const answers = new WeakMap<OAuthTokens, Record<string, unknown>>()

/** Remembers the raw token answer beside the bundle (not stored), for provider fields such as Qwen's `resource_url`. */
function withAnswer(tokens: OAuthTokens, json: Record<string, unknown>): OAuthTokens {
  answers.set(tokens, json)
  return tokens
}

/** The raw token-endpoint answer a bundle was built from, when it was built just now. */
export function tokenAnswerOf(tokens: OAuthTokens): Record<string, unknown> | undefined {
  return answers.get(tokens)
}

/** RFC 6749 §4.1.3: exchanges an authorization code (form body; client secret sent when the client has one). */
export async function exchangeCodeStandard(
  provider: SubscriptionProvider,
  runtime: OAuthRuntime,
  input: { code: string; codeVerifier?: string; redirectUri: string },
  options: { basic?: boolean } = {},
): Promise<OAuthTokens> {
  const { oauth, definition } = provider
  const json = await requestToken(
    runtime.fetch,
    runtime.endpoint('token'),
    {
      form: {
        grant_type: 'authorization_code',
        code: input.code,
        redirect_uri: input.redirectUri,
        client_id: oauth.clientId,
        client_secret: oauth.clientSecret,
        code_verifier: input.codeVerifier,
      },
      basic: options.basic && oauth.clientSecret ? { username: oauth.clientId, password: oauth.clientSecret } : undefined,
    },
    `${definition.name} code exchange`,
  )
  return withAnswer(tokensFromAnswer(definition.id, json, runtime.now()), json)
}

/** RFC 6749 §6: new tokens from the refresh token (form body). */
export async function refreshStandard(
  provider: SubscriptionProvider,
  runtime: OAuthRuntime,
  tokens: OAuthTokens,
  extra: Record<string, string> = {},
  options: { basic?: boolean } = {},
): Promise<OAuthTokens> {
  const { oauth, definition } = provider
  if (!tokens.refreshToken) throw new OAuthError(`${definition.name}: no refresh token stored; log in again`, true)
  const json = await requestToken(
    runtime.fetch,
    runtime.endpoint('token'),
    {
      form: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_id: oauth.clientId, client_secret: oauth.clientSecret, ...extra },
      basic: options.basic && oauth.clientSecret ? { username: oauth.clientId, password: oauth.clientSecret } : undefined,
    },
    `${definition.name} token refresh`,
  )
  return withAnswer(tokensFromAnswer(definition.id, json, runtime.now(), tokens), json)
}

/** RFC 8628 §3.1: starts a device authorization grant (form body; PKCE challenge when given). */
export async function requestDeviceCodeStandard(
  provider: SubscriptionProvider,
  runtime: OAuthRuntime,
  input: { codeChallenge?: string },
  options: { json?: boolean } = {},
): Promise<DeviceCode> {
  const { oauth, definition } = provider
  const fields: Record<string, string | undefined> = { client_id: oauth.clientId, scope: oauth.scopes.join(' ') || undefined }
  if (input.codeChallenge) {
    fields.code_challenge = input.codeChallenge
    fields.code_challenge_method = 'S256'
  }
  const json = await requestToken(runtime.fetch, runtime.endpoint('device'), options.json ? { json: fields } : { form: fields }, `${definition.name} device code`)
  return deviceCodeFrom(json, definition.name)
}

/** Reads a device authorization answer (snake_case or camelCase). */
export function deviceCodeFrom(json: Record<string, unknown>, label: string): DeviceCode {
  const deviceCode = stringField(json, 'device_code') ?? stringField(json, 'deviceCode')
  const userCode = stringField(json, 'user_code') ?? stringField(json, 'userCode')
  const verificationUri = stringField(json, 'verification_uri') ?? stringField(json, 'verificationUri') ?? stringField(json, 'verification_url')
  if (!deviceCode || !userCode || !verificationUri) throw new OAuthError(`${label}: the device endpoint answered without a code`, false)
  return {
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete: stringField(json, 'verification_uri_complete') ?? stringField(json, 'verificationUriComplete'),
    interval: Number(json.interval ?? 5) || 5,
    expiresIn: Number(json.expires_in ?? json.expiresIn ?? 900) || 900,
  }
}

/** RFC 8628 §3.4–3.5: polls the token endpoint once; `authorization_pending` and `slow_down` are not failures. */
export async function pollDeviceCodeStandard(
  provider: SubscriptionProvider,
  runtime: OAuthRuntime,
  device: { deviceCode: string; codeVerifier?: string },
  options: { json?: boolean } = {},
): Promise<DevicePoll> {
  const { oauth, definition } = provider
  const fields = {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: device.deviceCode,
    client_id: oauth.clientId,
    client_secret: oauth.clientSecret,
    code_verifier: device.codeVerifier,
  }
  const answer = await sendRequest(runtime.fetch, runtime.endpoint('token'), options.json ? { json: fields } : { form: fields })
  // GitHub answers 200 with an `error` field while pending; others answer 400.
  const error = describeError(answer)
  const code = typeof answer.json?.error === 'string' ? answer.json.error : error.code
  if (code === 'authorization_pending') return { status: 'pending' }
  if (code === 'slow_down') return { status: 'slow-down' }
  if (answer.status >= 200 && answer.status < 300 && answer.json && !answer.json.error) {
    return { status: 'done', tokens: withAnswer(tokensFromAnswer(definition.id, answer.json, runtime.now()), answer.json) }
  }
  const permanent = code === 'expired_token' || code === 'access_denied' || answer.status === 400 || answer.status === 401 || answer.status === 403
  throw new OAuthError(`${definition.name} device login failed: ${error.message}`, permanent, answer.status, code)
}

/**
 * What a user pasted after a browser login: the whole callback URL, `code#state` (Claude's code page)
 * or a bare code.
 */
export function parsePastedCode(text: string): { code: string; state?: string } | undefined {
  const value = text.trim()
  if (!value) return undefined
  if (/^https?:\/\//i.test(value) || value.startsWith('/') || value.startsWith('?')) {
    try {
      const url = new URL(value, 'http://localhost')
      const params = new URLSearchParams(url.search)
      // Some callbacks put the answer in the fragment.
      if (!params.get('code') && url.hash) for (const [k, v] of new URLSearchParams(url.hash.slice(1))) params.set(k, v)
      const error = params.get('error')
      if (error) throw new OAuthError(`the provider refused the login: ${params.get('error_description') ?? error}`, true, undefined, error)
      const code = params.get('code')
      return code ? { code, state: params.get('state') ?? undefined } : undefined
    } catch (error) {
      if (error instanceof OAuthError) throw error
      return undefined
    }
  }
  const hash = value.indexOf('#')
  if (hash > 0) return { code: value.slice(0, hash), state: value.slice(hash + 1) || undefined }
  return { code: value }
}
