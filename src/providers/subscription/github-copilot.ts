import { chatBodyToResponses, responsesAnswerToChat } from '../../formats/envelopes/chat-via-responses'
import { pollDeviceCodeStandard, requestDeviceCodeStandard } from '../../oauth/flows'
import { OAuthError, requestJson, stringField } from '../../oauth/http'
import type { OAuthRuntime, OAuthTokens, QuotaWindow, SubscriptionProvider } from '../../oauth/types'
import { VERSION } from '../../version'
import { bearer } from '../shared/auth'
import { defineProvider } from '../types'

/** The GitHub OAuth token (device flow) that mints Copilot tokens; stored beside the Copilot token. */
const githubTokenOf = (tokens: OAuthTokens) => (typeof tokens.extra?.githubToken === 'string' ? tokens.extra.githubToken : undefined)

/**
 * Exchanges the GitHub token for a short-lived Copilot API token (`copilot_internal/v2/token`): the
 * token, its expiry (Unix seconds) and the account's API host (`endpoints.api`).
 */
async function mintCopilotToken(runtime: OAuthRuntime, tokens: OAuthTokens): Promise<OAuthTokens> {
  const githubToken = githubTokenOf(tokens)
  if (!githubToken) throw new OAuthError('GitHub Copilot: no GitHub token stored; log in again', true)
  const answer = await requestJson(runtime.fetch, runtime.endpoint('copilotToken'), { headers: { authorization: `token ${githubToken}` } }, 'Copilot token exchange')
  const token = stringField(answer, 'token')
  if (!token) throw new OAuthError('Copilot token exchange answered without a token (is Copilot enabled for this account?)', true)
  const expiresAt = typeof answer.expires_at === 'number' ? answer.expires_at * 1000 : undefined
  const api = stringField((answer.endpoints ?? {}) as Record<string, unknown>, 'api')
  return { ...tokens, accessToken: token, expiresAt, relogin: undefined, extra: { ...tokens.extra, ...(api ? { apiBase: api } : {}) } }
}

/** Copilot's 400 for a model it serves only on `/responses`. */
const needsResponses = (status: number, text: string) =>
  status === 400 && (text.includes('not accessible via the /chat/completions endpoint') || text.includes('The requested model is not supported'))

/**
 * GitHub Copilot: GitHub's device flow with the Copilot editor client id, then Copilot API tokens
 * minted from the GitHub token (and minted again ~every 25 minutes). Requests carry the integration
 * headers the Copilot API requires, with modelmux's own name as the editor.
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow
 */
export const githubCopilot: SubscriptionProvider = {
  definition: defineProvider({
    id: 'github-copilot',
    name: 'GitHub Copilot',
    aliases: ['gh', 'copilot'],
    format: 'openai-chat',
    baseUrl: 'https://api.githubcopilot.com',
    auth: bearer(),
    headers: {
      'copilot-integration-id': 'vscode-chat',
      'editor-version': `modelmux/${VERSION}`,
      'editor-plugin-version': `modelmux/${VERSION}`,
      'openai-intent': 'conversation-panel',
      'x-github-api-version': '2025-04-01',
      // Every request is billed as user-initiated: never under-report premium usage.
      'x-initiator': 'user',
    },
    models: [
      { id: 'gpt-4.1', contextWindow: 128_000 },
      { id: 'gpt-5-mini', contextWindow: 128_000 },
      { id: 'gpt-5.1', contextWindow: 128_000 },
      { id: 'claude-sonnet-4.5', contextWindow: 128_000 },
      { id: 'claude-haiku-4.5', contextWindow: 128_000 },
      { id: 'gemini-2.5-pro', contextWindow: 128_000 },
    ],
    docs: 'https://docs.github.com/en/copilot',
  }),
  oauth: {
    flows: ['device-code'],
    clientId: 'Iv1.b507a08c87ecfe98',
    scopes: ['read:user'],
    endpoints: {
      device: 'https://github.com/login/device/code',
      token: 'https://github.com/login/oauth/access_token',
      copilotToken: 'https://api.github.com/copilot_internal/v2/token',
      user: 'https://api.github.com/user',
      quota: 'https://api.github.com/copilot_internal/user',
    },
    pkce: false,
    refreshLeadMs: 5 * 60_000,
  },
  requestDeviceCode: (runtime, input) => requestDeviceCodeStandard(githubCopilot, runtime, input, { json: true }),
  async pollDeviceCode(runtime, device) {
    const poll = await pollDeviceCodeStandard(githubCopilot, runtime, device, { json: true })
    if (poll.status !== 'done') return poll
    // The device grant's token is GitHub's; the API needs a Copilot token minted from it.
    return { status: 'done', tokens: { ...poll.tokens, extra: { githubToken: poll.tokens.accessToken } } }
  },
  async completeLogin(runtime, tokens) {
    const minted = await mintCopilotToken(runtime, tokens)
    const user = await requestJson(runtime.fetch, runtime.endpoint('user'), { headers: { authorization: `token ${githubTokenOf(tokens)}` } }, 'GitHub user')
    const login = stringField(user, 'login')
    return { ...minted, accountId: login ?? String(user.id ?? ''), email: stringField(user, 'email') ?? login, refreshToken: undefined }
  },
  refresh: mintCopilotToken,
  apiBase: (tokens) => (typeof tokens.extra?.apiBase === 'string' ? tokens.extra.apiBase : undefined),
  // Some models (the Codex ones) are only on `/responses`: sent there in Responses form, answered back as chat.
  alternate: {
    needed: needsResponses,
    prepare: (request, context) => ({ ...request, url: `${context.apiBase.replace(/\/+$/, '')}/responses`, body: chatBodyToResponses(request.body, request.model) }),
    adaptResponse: (response, context) =>
      responsesAnswerToChat(response, { clock: { now: context.now }, ids: (prefix) => `${prefix}${context.randomId().replaceAll('-', '')}`, model: context.model }),
  },
  /** `copilot_internal/user`: `quota_snapshots` (`chat`, `completions`, `premium_interactions`) and `quota_reset_date`. */
  async readQuota(runtime, tokens) {
    const answer = await requestJson(runtime.fetch, runtime.endpoint('quota'), { headers: { authorization: `token ${githubTokenOf(tokens)}` } }, 'Copilot quota')
    const reset = typeof answer.quota_reset_date === 'string' ? Date.parse(answer.quota_reset_date) : NaN
    const snapshots = (answer.quota_snapshots ?? {}) as Record<string, Record<string, unknown>>
    const windows: QuotaWindow[] = []
    for (const [name, snapshot] of Object.entries(snapshots)) {
      if (!snapshot || typeof snapshot !== 'object') continue
      const window: QuotaWindow = { name, unlimited: snapshot.unlimited === true }
      if (typeof snapshot.entitlement === 'number') window.total = snapshot.entitlement
      if (typeof snapshot.remaining === 'number') window.remaining = snapshot.remaining
      if (typeof snapshot.percent_remaining === 'number') window.usedPercent = 100 - snapshot.percent_remaining
      if (!Number.isNaN(reset)) window.resetAt = reset
      // Used-up premium requests fall back to the included models; only the chat allowance blocks the account.
      if (name !== 'chat') window.models = []
      windows.push(window)
    }
    return { plan: typeof answer.copilot_plan === 'string' ? answer.copilot_plan : undefined, windows }
  },
}
