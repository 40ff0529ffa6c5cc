import { tokensFromAnswer } from '../../oauth/flows'
import { OAuthError, requestJson, requestToken, stringField } from '../../oauth/http'
import type { OAuthTokens, QuotaWindow, SubscriptionProvider } from '../../oauth/types'
import { anthropic } from '../anthropic'
import { bearer } from '../shared/auth'
import { defineProvider } from '../types'

/** The beta flag that lets the Messages API accept a Claude OAuth token; always sent. */
const OAUTH_BETA = 'oauth-2025-04-20'

/** Merges comma-separated beta lists, keeping order and dropping repeats. */
export function mergeBetas(...lists: (string | undefined)[]): string {
  const seen = new Set<string>()
  for (const list of lists) for (const item of (list ?? '').split(',')) if (item.trim()) seen.add(item.trim())
  return [...seen].join(',')
}

/** Reads the account fields of Anthropic's token answer (`account.uuid`, `account.email_address`). */
function withAccount(tokens: OAuthTokens, json: Record<string, unknown>): OAuthTokens {
  const account = (json.account ?? {}) as Record<string, unknown>
  const organization = (json.organization ?? {}) as Record<string, unknown>
  return {
    ...tokens,
    accountId: stringField(account, 'uuid') ?? tokens.accountId,
    email: stringField(account, 'email_address') ?? tokens.email,
    extra: { ...tokens.extra, ...(stringField(organization, 'uuid') ? { organizationId: stringField(organization, 'uuid') } : {}) },
  }
}

const windowNames: Record<string, string> = { five_hour: 'session (5h)', seven_day: 'weekly (7d)' }

/**
 * Claude Pro/Max through Claude Code's OAuth client: the Messages API with the OAuth bearer and the
 * `oauth-2025-04-20` beta; the client's own `anthropic-beta` flags are kept. No identity headers,
 * billing blocks or tool renaming are added.
 * @see https://docs.anthropic.com/en/docs/claude-code/iam
 */
export const claudeCode: SubscriptionProvider = {
  definition: defineProvider({
    id: 'claude-code',
    name: 'Claude Code (Pro/Max login)',
    aliases: ['cc'],
    format: 'anthropic-messages',
    baseUrl: 'https://api.anthropic.com/v1',
    auth: bearer(),
    headers: { 'anthropic-version': '2023-06-01' },
    query: { beta: 'true' },
    models: anthropic.models,
    docs: 'https://docs.anthropic.com/en/docs/claude-code',
  }),
  oauth: {
    flows: ['authorization-code'],
    clientId: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
    scopes: ['org:create_api_key', 'user:profile', 'user:inference'],
    endpoints: {
      authorize: 'https://claude.ai/oauth/authorize',
      token: 'https://api.anthropic.com/v1/oauth/token',
      quota: 'https://api.anthropic.com/api/oauth/usage',
    },
    authorizeParams: { code: 'true' },
    redirect: { path: '/callback' },
    refreshLeadMs: 4 * 3_600_000,
  },
  /** Anthropic's token endpoint takes JSON, and the code page may hand out `code#state`. */
  async exchangeCode(runtime, input) {
    const json = await requestToken(
      runtime.fetch,
      runtime.endpoint('token'),
      {
        json: {
          grant_type: 'authorization_code',
          code: input.code,
          state: input.state,
          client_id: claudeCode.oauth.clientId,
          redirect_uri: input.redirectUri,
          code_verifier: input.codeVerifier,
        },
      },
      'Claude code exchange',
    )
    return withAccount(tokensFromAnswer('claude-code', json, runtime.now()), json)
  },
  async refresh(runtime, tokens) {
    if (!tokens.refreshToken) throw new OAuthError('Claude: no refresh token stored; log in again', true)
    const json = await requestToken(
      runtime.fetch,
      runtime.endpoint('token'),
      { json: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_id: claudeCode.oauth.clientId } },
      'Claude token refresh',
    )
    return withAccount(tokensFromAnswer('claude-code', json, runtime.now(), tokens), json)
  },
  prepare(request) {
    return { ...request, headers: { ...request.headers, 'anthropic-beta': mergeBetas(OAUTH_BETA, request.headers['anthropic-beta']) } }
  },
  /** `GET /api/oauth/usage`: `five_hour`, `seven_day` and per-model `seven_day_<model>` windows with `utilization` (%) and `resets_at`. */
  async readQuota(runtime, tokens) {
    const answer = await requestJson(
      runtime.fetch,
      runtime.endpoint('quota'),
      { headers: { authorization: `Bearer ${tokens.accessToken}`, 'anthropic-beta': OAUTH_BETA } },
      'Claude usage',
    )
    const windows: QuotaWindow[] = []
    for (const [key, value] of Object.entries(answer)) {
      if (!value || typeof value !== 'object' || !('utilization' in value)) continue
      const entry = value as { utilization?: unknown; resets_at?: unknown }
      const window: QuotaWindow = { name: windowNames[key] ?? key.replace(/^seven_day_(.+)$/, 'weekly $1 (7d)') }
      const used = Number(entry.utilization)
      if (Number.isFinite(used)) window.usedPercent = used
      const reset = typeof entry.resets_at === 'string' ? Date.parse(entry.resets_at) : NaN
      if (!Number.isNaN(reset)) window.resetAt = reset
      const model = /^seven_day_(.+)$/.exec(key)?.[1]
      if (model) window.models = [`claude-${model}`]
      windows.push(window)
    }
    return { windows }
  },
}
