import { exchangeCodeStandard, refreshStandard } from '../../oauth/flows'
import { requestJson } from '../../oauth/http'
import { decodeJwtClaims } from '../../oauth/jwt'
import type { OAuthTokens, QuotaWindow, SubscriptionProvider } from '../../oauth/types'
import { applyCodexBodyRules } from '../../formats/envelopes/codex'
import { bearer } from '../shared/auth'
import { defineProvider } from '../types'

/** Email, ChatGPT account id and plan from the id_token's claims (`https://api.openai.com/auth`). */
export function withCodexIdentity(tokens: OAuthTokens): OAuthTokens {
  const claims = decodeJwtClaims(tokens.idToken)
  if (!claims) return tokens
  const auth = (claims['https://api.openai.com/auth'] ?? {}) as Record<string, unknown>
  const profile = (claims['https://api.openai.com/profile'] ?? {}) as Record<string, unknown>
  const email = typeof claims.email === 'string' ? claims.email : typeof profile.email === 'string' ? profile.email : tokens.email
  const accountId = typeof auth.chatgpt_account_id === 'string' ? auth.chatgpt_account_id : tokens.accountId
  const plan = typeof auth.chatgpt_plan_type === 'string' ? auth.chatgpt_plan_type : tokens.extra?.plan
  return { ...tokens, email, accountId, extra: { ...tokens.extra, ...(plan ? { plan } : {}) } }
}

const secondsToMs = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined)

/**
 * ChatGPT Plus/Pro through the Codex CLI's OAuth client: the Codex Responses backend. It always
 * streams (a non-streaming client gets the collected answer), takes the account id as a header, and
 * reads the reasoning effort from a model suffix (`gpt-5.3-codex-high`).
 * @see https://github.com/openai/codex/blob/main/codex-rs/login/src/server.rs
 */
export const codex: SubscriptionProvider = {
  definition: defineProvider({
    id: 'codex',
    name: 'Codex (ChatGPT login)',
    aliases: ['cx'],
    format: 'openai-responses',
    baseUrl: 'https://chatgpt.com/backend-api/codex',
    auth: bearer(),
    models: [
      { id: 'gpt-6.2-sol', contextWindow: 1_050_000 },
      { id: 'gpt-6.1-sol', contextWindow: 1_050_000 },
      { id: 'gpt-6-sol', contextWindow: 1_050_000 },
      { id: 'gpt-6-luna' },
      { id: 'gpt-5.5', contextWindow: 400_000 },
      { id: 'gpt-5.4', contextWindow: 400_000 },
      { id: 'gpt-5.3-codex', contextWindow: 400_000 },
      { id: 'gpt-5.2-codex', contextWindow: 400_000 },
      { id: 'gpt-5.2', contextWindow: 400_000 },
      { id: 'gpt-5.1-codex-max', contextWindow: 400_000 },
      { id: 'gpt-5.1-codex-mini', contextWindow: 400_000 },
    ],
    docs: 'https://developers.openai.com/codex',
  }),
  oauth: {
    flows: ['authorization-code'],
    clientId: 'app_EMoamEEZ73f0CkXaXp7hrann',
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    endpoints: {
      authorize: 'https://auth.openai.com/oauth/authorize',
      token: 'https://auth.openai.com/oauth/token',
      quota: 'https://chatgpt.com/backend-api/wham/usage',
    },
    authorizeParams: { id_token_add_organizations: 'true', codex_cli_simplified_flow: 'true', originator: 'codex_cli_rs' },
    // The OAuth client accepts only this redirect.
    redirect: { port: 1455, path: '/auth/callback' },
    refreshLeadMs: 5 * 24 * 3_600_000,
  },
  async exchangeCode(runtime, input) {
    return withCodexIdentity(await exchangeCodeStandard(codex, runtime, input))
  },
  async refresh(runtime, tokens) {
    return withCodexIdentity(await refreshStandard(codex, runtime, tokens, { scope: 'openid profile email' }))
  },
  prepare(request, context) {
    const headers: Record<string, string> = { ...request.headers, accept: 'text/event-stream', originator: 'codex_cli_rs' }
    if (context.tokens.accountId) headers['chatgpt-account-id'] = context.tokens.accountId
    // The conversation id the client chose keeps the backend's prompt cache warm.
    if (typeof request.body.prompt_cache_key === 'string') headers.session_id = request.body.prompt_cache_key
    return { ...request, stream: true, headers, body: applyCodexBodyRules(request.body, request.model) }
  },
  /** `GET /backend-api/wham/usage`: the 5-hour and weekly windows (`used_percent`, `reset_at` in seconds). */
  async readQuota(runtime, tokens) {
    const headers: Record<string, string> = { authorization: `Bearer ${tokens.accessToken}` }
    if (tokens.accountId) headers['chatgpt-account-id'] = tokens.accountId
    const answer = await requestJson(runtime.fetch, runtime.endpoint('quota'), { headers }, 'Codex usage')
    const limits = (answer.rate_limit ?? {}) as Record<string, any>
    const windows: QuotaWindow[] = []
    for (const [key, name] of [['primary_window', 'session (5h)'], ['secondary_window', 'weekly (7d)']] as const) {
      const window = limits[key]
      if (!window || typeof window !== 'object') continue
      windows.push({
        name,
        usedPercent: typeof window.used_percent === 'number' ? window.used_percent : undefined,
        resetAt: secondsToMs(window.reset_at) ?? (typeof window.reset_after_seconds === 'number' ? runtime.now() + window.reset_after_seconds * 1000 : undefined),
      })
    }
    return {
      plan: typeof answer.plan_type === 'string' ? answer.plan_type : undefined,
      windows,
      limitReached: limits.limit_reached === true,
    }
  },
}
