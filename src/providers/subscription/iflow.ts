import { createHmac } from 'node:crypto'
import { exchangeCodeStandard, refreshStandard } from '../../oauth/flows'
import { OAuthError, requestJson, stringField } from '../../oauth/http'
import type { OAuthRuntime, OAuthTokens, SubscriptionProvider } from '../../oauth/types'
import { VERSION } from '../../version'
import { bearer } from '../shared/auth'
import { defineProvider } from '../types'

const USER_AGENT = `modelmux/${VERSION}`

/** iFlow's API key comes from the user info of the OAuth token (`data.apiKey`); the API takes that key, not the token. */
async function withApiKey(runtime: OAuthRuntime, tokens: OAuthTokens): Promise<OAuthTokens> {
  const url = new URL(runtime.endpoint('userinfo'))
  url.searchParams.set('accessToken', tokens.accessToken)
  const answer = await requestJson(runtime.fetch, url.toString(), {}, 'iFlow user info')
  const data = (answer.data ?? {}) as Record<string, unknown>
  const apiKey = stringField(data, 'apiKey')
  if (!apiKey) throw new OAuthError('iFlow user info carried no API key', false)
  const email = stringField(data, 'email') ?? stringField(data, 'phone')
  return { ...tokens, email: email ?? tokens.email, accountId: stringField(data, 'userId') ?? email ?? tokens.accountId, extra: { ...tokens.extra, apiKey } }
}

/**
 * The signature iFlow's API checks: HMAC-SHA256, keyed with the API key, over
 * `<user agent>:<session id>:<timestamp ms>`, hex.
 */
export function iflowSignature(apiKey: string, userAgent: string, sessionId: string, timestamp: number): string {
  return createHmac('sha256', apiKey).update(`${userAgent}:${sessionId}:${timestamp}`).digest('hex')
}

/**
 * iFlow (心流) through the iFlow CLI's OAuth client: an OpenAI-compatible API with the account's API
 * key and signed request headers. The client secret is iFlow CLI's public one.
 */
export const iflow: SubscriptionProvider = {
  definition: defineProvider({
    id: 'iflow',
    name: 'iFlow (iFlow login)',
    aliases: ['if'],
    format: 'openai-chat',
    baseUrl: 'https://apis.iflow.cn/v1',
    auth: bearer(),
    models: [
      { id: 'qwen3-coder-plus', contextWindow: 256_000 },
      { id: 'kimi-k2', contextWindow: 128_000 },
      { id: 'deepseek-v3.2', contextWindow: 128_000 },
      { id: 'glm-4.6', contextWindow: 200_000 },
    ],
    docs: 'https://platform.iflow.cn',
  }),
  oauth: {
    flows: ['authorization-code'],
    clientId: '10009311001',
    clientSecret: '4Z3YjXycVsQvyGF1etiNlIBB4RsqSDtW',
    scopes: [],
    endpoints: {
      authorize: 'https://iflow.cn/oauth',
      token: 'https://iflow.cn/oauth/token',
      userinfo: 'https://iflow.cn/api/oauth/getUserInfo',
    },
    redirect: { path: '/oauth2callback' },
    pkce: false,
    refreshLeadMs: 24 * 3_600_000,
  },
  /** iFlow names the redirect `redirect` and logs in by phone. */
  authorizeUrl(runtime, input) {
    const url = new URL(runtime.endpoint('authorize'))
    url.searchParams.set('loginMethod', 'phone')
    url.searchParams.set('type', 'phone')
    url.searchParams.set('redirect', input.redirectUri)
    url.searchParams.set('state', input.state)
    url.searchParams.set('client_id', iflow.oauth.clientId)
    return url.toString()
  },
  async exchangeCode(runtime, input) {
    return withApiKey(runtime, await exchangeCodeStandard(iflow, runtime, input, { basic: true }))
  },
  async refresh(runtime, tokens) {
    return withApiKey(runtime, await refreshStandard(iflow, runtime, tokens, {}, { basic: true }))
  },
  authHeaders(tokens, context) {
    const apiKey = typeof tokens.extra?.apiKey === 'string' ? tokens.extra.apiKey : tokens.accessToken
    const sessionId = `session-${context.randomId()}`
    const timestamp = context.now()
    return {
      authorization: `Bearer ${apiKey}`,
      'user-agent': USER_AGENT,
      'session-id': sessionId,
      'x-iflow-timestamp': String(timestamp),
      'x-iflow-signature': iflowSignature(apiKey, USER_AGENT, sessionId, timestamp),
    }
  },
}
