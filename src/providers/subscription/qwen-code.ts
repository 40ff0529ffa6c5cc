import { pollDeviceCodeStandard, refreshStandard, tokenAnswerOf } from '../../oauth/flows'
import { decodeJwtClaims } from '../../oauth/jwt'
import type { OAuthTokens, SubscriptionProvider } from '../../oauth/types'
import { bearer } from '../shared/auth'
import { defineProvider } from '../types'

/** Keeps the answer's `resource_url` (the account's API host) and what the id_token says about the user. */
function withResource(tokens: OAuthTokens): OAuthTokens {
  const answer = tokenAnswerOf(tokens)
  const resourceUrl = typeof answer?.resource_url === 'string' ? answer.resource_url : tokens.extra?.resourceUrl
  const claims = decodeJwtClaims(tokens.idToken)
  const email = typeof claims?.email === 'string' ? claims.email : tokens.email
  const subject = typeof claims?.sub === 'string' ? claims.sub : tokens.accountId
  return { ...tokens, email, accountId: subject ?? email, extra: { ...tokens.extra, ...(resourceUrl ? { resourceUrl } : {}) } }
}

/**
 * Qwen Code's login (device code + PKCE) for the Qwen OAuth API. The token answer's `resource_url`
 * names the API host. (Qwen ended the free tier on 2026-04-15; paid accounts still work.)
 * @see https://github.com/QwenLM/qwen-code/blob/main/packages/core/src/qwen/qwenOAuth2.ts
 */
export const qwenCode: SubscriptionProvider = {
  definition: defineProvider({
    id: 'qwen-code',
    name: 'Qwen Code (Qwen login)',
    aliases: ['qw'],
    format: 'openai-chat',
    baseUrl: 'https://portal.qwen.ai/v1',
    auth: bearer(),
    models: [
      { id: 'qwen3-coder-plus', contextWindow: 1_000_000 },
      { id: 'qwen3-coder-flash', contextWindow: 1_000_000 },
      { id: 'coder-model', contextWindow: 1_000_000 },
    ],
    docs: 'https://github.com/QwenLM/qwen-code',
  }),
  oauth: {
    flows: ['device-code'],
    clientId: 'f0304373b74a44d2b584a3fb70ca9e56',
    scopes: ['openid', 'profile', 'email', 'model.completion'],
    endpoints: {
      device: 'https://chat.qwen.ai/api/v1/oauth2/device/code',
      token: 'https://chat.qwen.ai/api/v1/oauth2/token',
    },
    pkce: true,
    refreshLeadMs: 20 * 60_000,
  },
  async pollDeviceCode(runtime, device) {
    const poll = await pollDeviceCodeStandard(qwenCode, runtime, device)
    return poll.status === 'done' ? { status: 'done', tokens: withResource(poll.tokens) } : poll
  },
  async refresh(runtime, tokens) {
    return withResource(await refreshStandard(qwenCode, runtime, tokens))
  },
  apiBase(tokens) {
    const resource = tokens.extra?.resourceUrl
    if (typeof resource !== 'string' || !resource) return undefined
    const host = /^https?:\/\//.test(resource) ? resource : `https://${resource}`
    return /\/v1\/?$/.test(host) ? host.replace(/\/$/, '') : `${host.replace(/\/$/, '')}/v1`
  },
}
