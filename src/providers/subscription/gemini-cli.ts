import { refreshStandard } from '../../oauth/flows'
import type { SubscriptionProvider } from '../../oauth/types'
import { geminiModels } from '../gemini'
import { bearer } from '../shared/auth'
import { defineProvider } from '../types'
import { completeGoogleLogin, discoverProject, googleEndpoints, googleScopes, prepareCodeAssistCall, readCodeAssistQuota, unwrapCodeAssistAnswer } from './google-code-assist'

/**
 * Gemini CLI's Google login ("Login with Google", free or Code Assist tier) used through the Code
 * Assist API. The client id and secret are Gemini CLI's public installed-app credentials.
 * @see https://github.com/google-gemini/gemini-cli/blob/main/packages/core/src/code_assist/oauth2.ts
 */
export const geminiCli: SubscriptionProvider = {
  definition: defineProvider({
    id: 'gemini-cli',
    name: 'Gemini CLI (Google login)',
    aliases: ['gc'],
    format: 'gemini',
    baseUrl: 'https://cloudcode-pa.googleapis.com/v1internal',
    auth: bearer(),
    models: geminiModels,
    docs: 'https://github.com/google-gemini/gemini-cli',
  }),
  oauth: {
    flows: ['authorization-code'],
    clientId: '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com',
    clientSecret: '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',
    scopes: googleScopes,
    endpoints: googleEndpoints,
    authorizeParams: { access_type: 'offline', prompt: 'consent' },
    redirect: { path: '/oauth2callback' },
    refreshLeadMs: 5 * 60_000,
  },
  completeLogin: completeGoogleLogin,
  async refresh(runtime, tokens) {
    const renewed = await refreshStandard(geminiCli, runtime, tokens)
    if (typeof renewed.extra?.projectId === 'string') return renewed
    // A login whose project could not be found then: look again with the new token.
    const { projectId, tier } = await discoverProject(runtime, renewed)
    return { ...renewed, extra: { ...renewed.extra, projectId, tier } }
  },
  prepare(request, context) {
    const project = typeof context.tokens.extra?.projectId === 'string' ? context.tokens.extra.projectId : undefined
    return prepareCodeAssistCall(request, context.apiBase, { project, userPromptId: context.randomId() })
  },
  adaptResponse: unwrapCodeAssistAnswer,
  readQuota: readCodeAssistQuota,
}
