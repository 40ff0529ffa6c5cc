import { tokensFromAnswer } from '../../oauth/flows'
import { describeError, OAuthError, requestJson, requestToken, sendRequest, stringField } from '../../oauth/http'
import type { DeviceCode, OAuthRuntime, OAuthTokens, QuotaWindow, SubscriptionProvider } from '../../oauth/types'
import { encodeKiroRequest, createKiroToOpenAIChatStream } from '../../formats/envelopes/kiro'
import { openaiChat } from '../../formats/openai-chat'
import { bearer } from '../shared/auth'
import { defineProvider } from '../types'

const scopes = ['codewhisperer:completions', 'codewhisperer:analysis', 'codewhisperer:conversations']

const oidc = (runtime: OAuthRuntime, path: string) => `${runtime.endpoint('oidc').replace(/\/+$/, '')}${path}`

/** AWS SSO OIDC answers camelCase; errors carry `error` like RFC 6749. */
function kiroTokens(json: Record<string, unknown>, now: number, previous?: OAuthTokens): OAuthTokens {
  const tokens = tokensFromAnswer('kiro', json, now, previous)
  const profileArn = stringField(json, 'profileArn')
  return { ...tokens, accountId: profileArn ?? tokens.accountId, extra: { ...previous?.extra, ...tokens.extra, ...(profileArn ? { profileArn } : {}) } }
}

/** Refreshes through the Kiro social-login service (imported tokens and Google/GitHub logins). */
async function refreshSocial(runtime: OAuthRuntime, tokens: OAuthTokens): Promise<OAuthTokens> {
  if (!tokens.refreshToken) throw new OAuthError('Kiro: no refresh token stored; log in again', true)
  const json = await requestToken(runtime.fetch, runtime.endpoint('socialRefresh'), { json: { refreshToken: tokens.refreshToken } }, 'Kiro token refresh')
  return kiroTokens(json, runtime.now(), tokens)
}

/**
 * Kiro (Amazon's agentic IDE; free tier): AWS Builder ID / IAM Identity Center device login through
 * AWS SSO OIDC (a public client registered at login), or an imported Kiro refresh token. Requests go
 * to CodeWhisperer's `generateAssistantResponse`, which answers an AWS binary event stream; that is
 * decoded into OpenAI Chat SSE, this provider's declared format.
 * @see https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/API_StartDeviceAuthorization.html
 */
export const kiro: SubscriptionProvider = {
  definition: defineProvider({
    id: 'kiro',
    name: 'Kiro (AWS Builder ID)',
    aliases: ['kr'],
    format: 'openai-chat',
    baseUrl: 'https://codewhisperer.us-east-1.amazonaws.com',
    auth: bearer(),
    models: [
      { id: 'claude-sonnet-4.5', contextWindow: 200_000 },
      { id: 'claude-haiku-4.5', contextWindow: 200_000 },
      { id: 'claude-sonnet-4', contextWindow: 200_000 },
    ],
    docs: 'https://kiro.dev',
  }),
  oauth: {
    flows: ['device-code', 'import'],
    clientId: 'kiro-oauth-client',
    scopes,
    endpoints: {
      oidc: 'https://oidc.us-east-1.amazonaws.com',
      startUrl: 'https://view.awsapps.com/start',
      socialRefresh: 'https://prod.us-east-1.auth.desktop.kiro.dev/refreshToken',
      quota: 'https://codewhisperer.us-east-1.amazonaws.com/getUsageLimits',
    },
    pkce: false,
    refreshLeadMs: 5 * 60_000,
  },
  /** Registers a public OIDC client, then starts the device authorization with it. */
  async requestDeviceCode(runtime): Promise<DeviceCode> {
    const client = await requestToken(
      runtime.fetch,
      oidc(runtime, '/client/register'),
      { json: { clientName: kiro.oauth.clientId, clientType: 'public', scopes, grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'] } },
      'AWS OIDC client registration',
    )
    const clientId = stringField(client, 'clientId')
    const clientSecret = stringField(client, 'clientSecret')
    if (!clientId || !clientSecret) throw new OAuthError('AWS OIDC registration answered without a client', false)
    const device = await requestToken(
      runtime.fetch,
      oidc(runtime, '/device_authorization'),
      { json: { clientId, clientSecret, startUrl: runtime.endpoint('startUrl') } },
      'AWS OIDC device authorization',
    )
    const deviceCode = stringField(device, 'deviceCode')
    const userCode = stringField(device, 'userCode')
    const verificationUri = stringField(device, 'verificationUri')
    if (!deviceCode || !userCode || !verificationUri) throw new OAuthError('AWS OIDC answered without a device code', false)
    return {
      deviceCode,
      userCode,
      verificationUri,
      verificationUriComplete: stringField(device, 'verificationUriComplete'),
      interval: Number(device.interval ?? 5) || 5,
      expiresIn: Number(device.expiresIn ?? 600) || 600,
      extra: { clientId, clientSecret },
    }
  },
  async pollDeviceCode(runtime, device) {
    const clientId = device.extra?.clientId as string | undefined
    const clientSecret = device.extra?.clientSecret as string | undefined
    if (!clientId || !clientSecret) throw new OAuthError('Kiro device login lost its client registration; start again', true)
    const answer = await sendRequest(runtime.fetch, oidc(runtime, '/token'), {
      json: { clientId, clientSecret, deviceCode: device.deviceCode, grantType: 'urn:ietf:params:oauth:grant-type:device_code' },
    })
    const error = describeError(answer)
    const code = typeof answer.json?.error === 'string' ? answer.json.error : error.code
    if (code === 'authorization_pending' || code === 'AuthorizationPendingException') return { status: 'pending' }
    if (code === 'slow_down' || code === 'SlowDownException') return { status: 'slow-down' }
    if (answer.status >= 200 && answer.status < 300 && answer.json) {
      const tokens = kiroTokens(answer.json, runtime.now())
      return { status: 'done', tokens: { ...tokens, extra: { ...tokens.extra, clientId, clientSecret, authMethod: 'builder-id' } } }
    }
    throw new OAuthError(`Kiro device login failed: ${error.message}`, answer.status === 400 || answer.status === 401, answer.status, code)
  },
  async importToken(runtime, input) {
    const tokens = await refreshSocial(runtime, { type: 'oauth', provider: 'kiro', accessToken: '', refreshToken: input.refreshToken.trim() })
    return { ...tokens, extra: { ...tokens.extra, authMethod: 'social' } }
  },
  async refresh(runtime, tokens) {
    const clientId = tokens.extra?.clientId as string | undefined
    const clientSecret = tokens.extra?.clientSecret as string | undefined
    if (!clientId || !clientSecret) return refreshSocial(runtime, tokens)
    if (!tokens.refreshToken) throw new OAuthError('Kiro: no refresh token stored; log in again', true)
    const json = await requestToken(
      runtime.fetch,
      oidc(runtime, '/token'),
      { json: { clientId, clientSecret, refreshToken: tokens.refreshToken, grantType: 'refresh_token' } },
      'Kiro token refresh',
    )
    return kiroTokens(json, runtime.now(), tokens)
  },
  prepare(request, context) {
    const ir = openaiChat.request.decode(request.body)
    const profileArn = typeof context.tokens.extra?.profileArn === 'string' ? context.tokens.extra.profileArn : undefined
    const body = encodeKiroRequest(ir, { modelId: request.model, conversationId: context.randomId(), profileArn })
    return {
      ...request,
      url: `${context.apiBase.replace(/\/+$/, '')}/generateAssistantResponse`,
      stream: true,
      headers: { ...request.headers, accept: 'application/vnd.amazon.eventstream', 'x-amz-target': 'AmazonCodeWhispererStreamingService.GenerateAssistantResponse' },
      body,
    }
  },
  adaptResponse(response, context) {
    if (!response.body) return response
    const headers = new Headers(response.headers)
    headers.set('content-type', 'text/event-stream')
    headers.delete('content-length')
    const ids = (prefix: string) => `${prefix}${context.randomId().replaceAll('-', '')}`
    const stream = createKiroToOpenAIChatStream({ clock: { now: context.now }, ids, model: context.model, id: ids('chatcmpl-') })
    return new Response(response.body.pipeThrough(stream), { status: response.status, headers })
  },
  /** `getUsageLimits`: `usageBreakdownList[]` (current and limit per resource type) and `nextDateReset`. */
  async readQuota(runtime, tokens) {
    const url = new URL(runtime.endpoint('quota'))
    url.searchParams.set('isEmailRequired', 'true')
    url.searchParams.set('origin', 'AI_EDITOR')
    url.searchParams.set('resourceType', 'AGENTIC_REQUEST')
    if (typeof tokens.extra?.profileArn === 'string') url.searchParams.set('profileArn', tokens.extra.profileArn)
    const answer = await requestJson(runtime.fetch, url.toString(), { headers: { authorization: `Bearer ${tokens.accessToken}` } }, 'Kiro usage limits')
    const reset = typeof answer.nextDateReset === 'number' ? answer.nextDateReset * 1000 : typeof answer.nextDateReset === 'string' ? Date.parse(answer.nextDateReset) : undefined
    const list = Array.isArray(answer.usageBreakdownList) ? (answer.usageBreakdownList as Record<string, unknown>[]) : []
    const windows: QuotaWindow[] = list.map((entry) => ({
      name: stringField(entry, 'resourceType') ?? 'usage',
      used: Number(entry.currentUsageWithPrecision ?? entry.currentUsage) || 0,
      total: Number(entry.usageLimitWithPrecision ?? entry.usageLimit) || undefined,
      resetAt: reset !== undefined && !Number.isNaN(reset) ? reset : undefined,
    }))
    const plan = stringField((answer.subscriptionInfo ?? {}) as Record<string, unknown>, 'subscriptionTitle')
    return { plan, windows }
  },
}
