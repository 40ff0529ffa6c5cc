import { refreshStandard } from '../../oauth/flows'
import type { QuotaWindow, SubscriptionProvider } from '../../oauth/types'
import { bearer } from '../shared/auth'
import { defineProvider } from '../types'
import { callCodeAssist, completeGoogleLogin, discoverProject, fractionWindow, googleEndpoints, googleScopes, prepareCodeAssistCall, unwrapCodeAssistAnswer } from './google-code-assist'

/**
 * Antigravity's Google login used through its Code Assist endpoint (Gemini and partner models). The
 * client id and secret are the Antigravity IDE's public installed-app credentials. Unlike 9Router, no
 * Antigravity system prompt is injected: requests carry the client's own instructions.
 */
export const antigravity: SubscriptionProvider = {
  definition: defineProvider({
    id: 'antigravity',
    name: 'Antigravity (Google login)',
    aliases: ['ag'],
    format: 'gemini',
    baseUrl: 'https://daily-cloudcode-pa.googleapis.com/v1internal',
    auth: bearer(),
    models: [
      { id: 'gemini-3-pro-high', contextWindow: 1_048_576 },
      { id: 'gemini-3-pro-low', contextWindow: 1_048_576 },
      { id: 'gemini-3-flash', contextWindow: 1_048_576 },
      { id: 'gemini-2.5-flash', contextWindow: 1_048_576 },
      { id: 'claude-sonnet-4-5', contextWindow: 200_000 },
      { id: 'claude-sonnet-4-5-thinking', contextWindow: 200_000 },
      { id: 'claude-opus-4-5-thinking', contextWindow: 200_000 },
      { id: 'gpt-oss-120b-medium', contextWindow: 131_072 },
    ],
    docs: 'https://antigravity.google',
  }),
  oauth: {
    flows: ['authorization-code'],
    clientId: '1071006060591-tmhssin2h21lcre235vtolojh4g403ep.apps.googleusercontent.com',
    clientSecret: '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',
    scopes: [...googleScopes, 'https://www.googleapis.com/auth/cclog', 'https://www.googleapis.com/auth/experimentsandconfigs'],
    // The daily endpoint first (the API base), then the sandbox one when it fails (5xx/429).
    endpoints: { ...googleEndpoints, apiSandbox: 'https://daily-cloudcode-pa.sandbox.googleapis.com/v1internal' },
    authorizeParams: { access_type: 'offline', prompt: 'consent' },
    redirect: { path: '/oauth-callback' },
    refreshLeadMs: 5 * 60_000,
  },
  failoverEndpoints: ['apiSandbox'],
  completeLogin: completeGoogleLogin,
  async refresh(runtime, tokens) {
    const renewed = await refreshStandard(antigravity, runtime, tokens)
    if (typeof renewed.extra?.projectId === 'string') return renewed
    const { projectId, tier } = await discoverProject(runtime, renewed)
    return { ...renewed, extra: { ...renewed.extra, projectId, tier } }
  },
  prepare(request, context) {
    const project = typeof context.tokens.extra?.projectId === 'string' ? context.tokens.extra.projectId : undefined
    return prepareCodeAssistCall(request, context.apiBase, {
      project,
      extra: { userAgent: 'antigravity', requestType: 'agent', requestId: `agent-${context.randomId()}` },
    })
  },
  adaptResponse: unwrapCodeAssistAnswer,
  /** `fetchAvailableModels`: each model's `quotaInfo.remainingFraction` and `resetTime`. */
  async readQuota(runtime, tokens, apiBase) {
    const project = typeof tokens.extra?.projectId === 'string' ? tokens.extra.projectId : undefined
    const answer = await callCodeAssist(runtime, apiBase, tokens, 'fetchAvailableModels', { project }, 'Antigravity quota')
    const models = (answer.models && typeof answer.models === 'object' ? answer.models : {}) as Record<string, Record<string, unknown>>
    const windows: QuotaWindow[] = []
    for (const [model, info] of Object.entries(models)) {
      const quota = info?.quotaInfo as Record<string, unknown> | undefined
      if (quota) windows.push(fractionWindow(model, quota.remainingFraction, quota.resetTime, model))
    }
    return { plan: typeof tokens.extra?.tier === 'string' ? tokens.extra.tier : undefined, windows }
  },
}
