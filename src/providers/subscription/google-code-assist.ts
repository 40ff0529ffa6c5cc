/**
 * What Gemini CLI and Antigravity share: Google's installed-app OAuth, the Code Assist API
 * (`v1internal`) with its envelope, project discovery (`loadCodeAssist`, then `onboardUser` for a
 * new account) and quota buckets.
 * @see https://github.com/google-gemini/gemini-cli/blob/main/packages/core/src/code_assist/setup.ts
 * @module
 */
import { createCodeAssistUnwrapStream, unwrapCodeAssistResponse, wrapCodeAssistRequest } from '../../formats/envelopes/code-assist'
import { OAuthError, requestJson, stringField } from '../../oauth/http'
import type { OAuthRuntime, OAuthTokens, QuotaWindow, SubscriptionRequest } from '../../oauth/types'

/** Google's OAuth endpoints for installed apps. */
export const googleEndpoints = {
  authorize: 'https://accounts.google.com/o/oauth2/v2/auth',
  token: 'https://oauth2.googleapis.com/token',
  userinfo: 'https://www.googleapis.com/oauth2/v2/userinfo',
} as const

/** Scopes Gemini CLI asks for. */
export const googleScopes = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
] as const

/** The metadata Code Assist setup calls carry (what Gemini CLI sends for an unspecified IDE). */
const clientMetadata = { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' }

/** `POST <api>:<method>` on the Code Assist API with the access token. */
export async function callCodeAssist(runtime: OAuthRuntime, apiBase: string, tokens: OAuthTokens, method: string, body: unknown, what: string) {
  return requestJson(runtime.fetch, `${apiBase.replace(/\/+$/, '')}:${method}`, { json: body, headers: { authorization: `Bearer ${tokens.accessToken}` } }, what)
}

/**
 * Finds (or, for a new account, sets up) the Google Cloud project Code Assist bills to: `loadCodeAssist`
 * answers it for existing users; otherwise `onboardUser` with the default tier, polled until done.
 */
export async function discoverProject(runtime: OAuthRuntime, tokens: OAuthTokens, options: { pollMs?: number; attempts?: number } = {}): Promise<{ projectId?: string; tier?: string }> {
  const apiBase = runtime.endpoint('api')
  const known = typeof tokens.extra?.projectId === 'string' ? tokens.extra.projectId : undefined
  const loaded = await callCodeAssist(runtime, apiBase, tokens, 'loadCodeAssist', { cloudaicompanionProject: known, metadata: { ...clientMetadata, duetProject: known } }, 'Code Assist loadCodeAssist')
  const project = projectIdOf(loaded.cloudaicompanionProject)
  const current = loaded.currentTier as Record<string, unknown> | undefined
  if (current) return { projectId: project ?? known, tier: stringField(current, 'name') ?? stringField(current, 'id') }
  const tiers = Array.isArray(loaded.allowedTiers) ? (loaded.allowedTiers as Record<string, unknown>[]) : []
  const tier = tiers.find((entry) => entry.isDefault) ?? tiers[0]
  const tierId = stringField(tier, 'id') ?? 'free-tier'
  const request = { tierId, cloudaicompanionProject: tierId === 'free-tier' ? undefined : (project ?? known), metadata: clientMetadata }
  const attempts = options.attempts ?? 10
  for (let attempt = 0; attempt < attempts; attempt++) {
    const operation = await callCodeAssist(runtime, apiBase, tokens, 'onboardUser', request, 'Code Assist onboardUser')
    if (operation.done) {
      const response = operation.response as Record<string, unknown> | undefined
      return { projectId: projectIdOf(response?.cloudaicompanionProject) ?? project ?? known, tier: stringField(tier, 'name') ?? tierId }
    }
    await Bun.sleep(options.pollMs ?? 5_000)
  }
  throw new OAuthError('Code Assist onboarding did not finish; try the login again in a minute', false)
}

function projectIdOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value) return value
  if (value && typeof value === 'object') return stringField(value as Record<string, unknown>, 'id')
  return undefined
}

/** After the code exchange: the account's email (user info) and its Code Assist project. */
export async function completeGoogleLogin(runtime: OAuthRuntime, tokens: OAuthTokens): Promise<OAuthTokens> {
  const user = await requestJson(runtime.fetch, runtime.endpoint('userinfo'), { headers: { authorization: `Bearer ${tokens.accessToken}` } }, 'Google user info')
  const email = stringField(user, 'email')
  const { projectId, tier } = await discoverProject(runtime, tokens)
  return { ...tokens, email, accountId: email ?? stringField(user, 'id'), extra: { ...tokens.extra, projectId, tier } }
}

/** The Code Assist call: `<api>:generateContent` or `<api>:streamGenerateContent?alt=sse` with the envelope. */
export function prepareCodeAssistCall(request: SubscriptionRequest, apiBase: string, envelope: { project?: string; userPromptId?: string; extra?: Record<string, unknown> }): SubscriptionRequest {
  const base = apiBase.replace(/\/+$/, '')
  return {
    ...request,
    url: request.stream ? `${base}:streamGenerateContent?alt=sse` : `${base}:generateContent`,
    body: wrapCodeAssistRequest(request.body, { model: request.model, ...envelope }),
  }
}

/** Unwraps a successful Code Assist answer (SSE or JSON) into plain Gemini. */
export function unwrapCodeAssistAnswer(response: Response): Response {
  const type = response.headers.get('content-type') ?? ''
  if (!response.body) return response
  if (type.includes('event-stream')) {
    return new Response(response.body.pipeThrough(createCodeAssistUnwrapStream()), { status: response.status, headers: response.headers })
  }
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  const body = response.text().then((text) => {
    try {
      return JSON.stringify(unwrapCodeAssistResponse(JSON.parse(text)))
    } catch {
      return text
    }
  })
  // Stay lazy: the body is only unwrapped when read.
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode(await body))
      controller.close()
    },
  })
  return new Response(stream, { status: response.status, headers })
}

/** Gemini CLI's quota buckets (`retrieveUserQuota`): one window per model, `remainingFraction` of the allowance. */
export async function readCodeAssistQuota(runtime: OAuthRuntime, tokens: OAuthTokens, apiBase: string): Promise<{ plan?: string; windows: QuotaWindow[] }> {
  const project = typeof tokens.extra?.projectId === 'string' ? tokens.extra.projectId : undefined
  const answer = await callCodeAssist(runtime, apiBase, tokens, 'retrieveUserQuota', { project }, 'Code Assist quota')
  const buckets = Array.isArray(answer.buckets) ? (answer.buckets as Record<string, unknown>[]) : []
  return {
    plan: typeof tokens.extra?.tier === 'string' ? tokens.extra.tier : undefined,
    windows: buckets.map((bucket) => fractionWindow(stringField(bucket, 'modelId') ?? 'all models', bucket.remainingFraction, bucket.resetTime, stringField(bucket, 'modelId'))),
  }
}

/** A window from a remaining fraction (0–1) and an ISO reset time. */
export function fractionWindow(name: string, remainingFraction: unknown, resetTime: unknown, model?: string): QuotaWindow {
  const fraction = Number(remainingFraction)
  const window: QuotaWindow = { name }
  if (Number.isFinite(fraction)) {
    window.usedPercent = Math.round((1 - fraction) * 1000) / 10
    window.remaining = Math.round(fraction * 1000)
    window.total = 1000
  }
  const reset = typeof resetTime === 'string' ? Date.parse(resetTime) : NaN
  if (!Number.isNaN(reset)) window.resetAt = reset
  if (model) window.models = [model]
  return window
}
