import { expect, test } from 'bun:test'
import { getSubscriptionProvider } from '../../src/providers/subscription'
import { sse } from './helpers/fake-provider'
import { browserCallback, createHarness, START } from './helpers/harness'

const geminiCli = getSubscriptionProvider('gc')!.definition
const antigravity = getSubscriptionProvider('ag')!.definition

function scriptGoogle(h: ReturnType<typeof createHarness>, options: { newUser?: boolean } = {}) {
  let issued = 0
  h.fake.on('POST /token', (call) => {
    issued++
    expect(call.fields.client_secret).toMatch(/^GOCSPX-/)
    if (call.fields.grant_type === 'refresh_token' && call.fields.refresh_token === 'revoked') return Response.json({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }, { status: 400 })
    return { access_token: `g-at-${issued}`, refresh_token: issued === 1 ? 'g-rt' : undefined, expires_in: 3599, token_type: 'Bearer' }
  })
  h.fake.on('GET /oauth2/v2/userinfo', (call) => {
    expect(call.headers.authorization).toBe('Bearer g-at-1')
    return { id: '1234', email: 'ada@gmail.com' }
  })
  let onboardCalls = 0
  const handleLoad = () =>
    options.newUser
      ? { allowedTiers: [{ id: 'legacy-tier' }, { id: 'free-tier', name: 'Gemini Code Assist for individuals', isDefault: true }] }
      : { currentTier: { id: 'free-tier', name: 'Gemini Code Assist for individuals' }, cloudaicompanionProject: 'proj-ada' }
  h.fake.on('POST /v1internal:loadCodeAssist', handleLoad)
  h.fake.on('POST /v1internal:onboardUser', (call) => {
    onboardCalls++
    expect(call.fields.tierId).toBe('free-tier')
    return { name: 'operations/1', done: true, response: { cloudaicompanionProject: { id: 'proj-new', name: 'Gemini' } } }
  })
  return { issued: () => issued, onboardCalls: () => onboardCalls }
}

async function login(h: ReturnType<typeof createHarness>, provider = 'gc') {
  const start = h.service.beginAuthorization(provider, { redirectUri: 'http://localhost:7777/oauth2callback' })
  const url = new URL(start.authUrl)
  expect(url.searchParams.get('access_type')).toBe('offline')
  expect(url.searchParams.get('prompt')).toBe('consent')
  const back = browserCallback(start.authUrl, 'g-code')
  return h.service.completeAuthorization(provider, { code: back.code, state: back.state })
}

test('Gemini CLI: login finds the Code Assist project; requests go out in the envelope and answers come back unwrapped', async () => {
  await using h = createHarness()
  scriptGoogle(h)
  const connection = await login(h)
  expect(connection.name).toBe('gc-ada@gmail.com')
  expect(JSON.parse(h.connection(connection.id).apiKey!)).toMatchObject({ email: 'ada@gmail.com', extra: { projectId: 'proj-ada', tier: 'Gemini Code Assist for individuals' } })
  expect(h.fake.callsTo('/v1internal:loadCodeAssist')[0].fields).toEqual({ metadata: { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' } })

  h.fake.on('POST /v1internal:streamGenerateContent', () =>
    new Response(
      sse([
        { data: { response: { candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] } }] }, traceId: 't1' } },
        { data: { response: { candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2 } } } },
      ]),
      { headers: { 'content-type': 'text/event-stream' } },
    ),
  )
  const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 50 } }
  const prepared = h.service.prepareCall(geminiCli, h.connection(connection.id), { model: 'gemini-2.5-pro', stream: true, body })
  expect(prepared.url).toBe(`${h.fake.url}/v1internal:streamGenerateContent?alt=sse`)
  const response = await prepared.fetch(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) })
  expect(await response.text()).toBe(
    'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}]}\n\n' +
      'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2}}\n\n',
  )
  const sent = h.fake.callsTo('/v1internal:streamGenerateContent')[0]
  expect(sent.query.get('alt')).toBe('sse')
  expect(sent.headers.authorization).toBe('Bearer g-at-1')
  expect(JSON.parse(sent.body)).toEqual({ model: 'gemini-2.5-pro', project: 'proj-ada', user_prompt_id: expect.any(String), request: body })

  // Non-streaming: the JSON answer is unwrapped too.
  h.fake.on('POST /v1internal:generateContent', () => ({ response: { candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }] } }))
  const single = h.service.prepareCall(geminiCli, h.connection(connection.id), { model: 'gemini-2.5-flash', stream: false, body })
  expect(single.url).toBe(`${h.fake.url}/v1internal:generateContent`)
  const answer = await single.fetch(single.url, { method: 'POST', headers: single.headers, body: JSON.stringify(single.body) })
  expect(await answer.json()).toEqual({ candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }] })

  // Errors pass through untouched (they are plain Google errors).
  h.fake.on('POST /v1internal:generateContent', () => Response.json({ error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } }, { status: 429 }))
  const limited = await single.fetch(single.url, { method: 'POST', headers: single.headers, body: JSON.stringify(single.body) })
  expect(limited.status).toBe(429)
  expect((await limited.json()).error.status).toBe('RESOURCE_EXHAUSTED')
})

test('Gemini CLI: a new account is onboarded to the default tier; the refresh keeps the refresh token; a revoked one needs re-login', async () => {
  await using h = createHarness()
  const google = scriptGoogle(h, { newUser: true })
  const connection = await login(h)
  expect(google.onboardCalls()).toBe(1)
  expect(h.service.tokensOf(h.connection(connection.id))?.extra?.projectId).toBe('proj-new')
  // Google tokens live an hour; the 5-minute lead refreshes at 55 minutes. Google sends no new refresh token.
  h.clock.time = START + 56 * 60_000
  expect((await h.service.runRefreshPass()).refreshed).toEqual([connection.id])
  expect(h.service.tokensOf(h.connection(connection.id))).toMatchObject({ accessToken: 'g-at-2', refreshToken: 'g-rt' })
  const { upsertConnection } = await import('../../src/store/connections')
  const stored = h.service.tokensOf(h.connection(connection.id))!
  upsertConnection(h.db, h.key, { name: connection.name, provider: 'gemini-cli', apiKey: JSON.stringify({ ...stored, refreshToken: 'revoked' }) }, START)
  const { listConnections } = await import('../../src/store/connections')
  const edited = listConnections(h.db, h.key).find((c) => c.id === connection.id)!
  await expect(h.service.refresh(edited)).rejects.toThrow('Token has been expired or revoked')
  expect(h.service.status(listConnections(h.db, h.key).find((c) => c.id === connection.id)!)?.needsRelogin).toContain('invalid_grant')
})

test('Gemini CLI quota buckets are per model', async () => {
  await using h = createHarness()
  scriptGoogle(h)
  const connection = await login(h)
  h.fake.on('POST /v1internal:retrieveUserQuota', (call) => {
    expect(call.fields).toEqual({ project: 'proj-ada' })
    return {
      buckets: [
        { modelId: 'gemini-2.5-pro', remainingFraction: 0, resetTime: new Date(START + 3_600_000).toISOString(), tokenType: 'REQUESTS' },
        { modelId: 'gemini-2.5-flash', remainingFraction: 0.75, resetTime: new Date(START + 3_600_000).toISOString(), tokenType: 'REQUESTS' },
      ],
    }
  })
  const snapshot = await h.service.readQuota(h.connection(connection.id))
  expect(snapshot?.windows[0]).toEqual({ name: 'gemini-2.5-pro', usedPercent: 100, remaining: 0, total: 1000, resetAt: START + 3_600_000, models: ['gemini-2.5-pro'] })
  expect(h.service.check(h.connection(connection.id), 'gemini-2.5-pro')?.until).toBe(START + 3_600_000)
  expect(h.service.check(h.connection(connection.id), 'gemini-2.5-flash')).toBeUndefined()
})

test('Antigravity: its own client, the envelope with request type, per-model quota from fetchAvailableModels', async () => {
  await using h = createHarness()
  scriptGoogle(h)
  const connection = await login(h, 'ag')
  expect(h.fake.callsTo('/token')[0].fields.client_id).toBe('1071006060591-tmhssin2h21lcre235vtolojh4g403ep.apps.googleusercontent.com')
  h.fake.on('POST /v1internal:generateContent', () => ({ response: { candidates: [{ content: { parts: [{ text: 'ok' }] } }] } }))
  const prepared = h.service.prepareCall(antigravity, h.connection(connection.id), { model: 'gemini-3-flash', stream: false, body: { contents: [] } })
  await (await prepared.fetch(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) })).text()
  const sent = JSON.parse(h.fake.callsTo('/v1internal:generateContent')[0].body)
  expect(sent).toEqual({ model: 'gemini-3-flash', project: 'proj-ada', userAgent: 'antigravity', requestType: 'agent', requestId: expect.stringMatching(/^agent-/), request: { contents: [] } })
  // No system prompt was injected.
  expect(sent.request.systemInstruction).toBeUndefined()
  h.fake.on('POST /v1internal:fetchAvailableModels', () => ({
    models: {
      'gemini-3-pro-high': { quotaInfo: { remainingFraction: 0, resetTime: new Date(START + 600_000).toISOString() } },
      'claude-sonnet-4-5': { quotaInfo: { remainingFraction: 1 } },
    },
  }))
  await h.service.readQuota(h.connection(connection.id))
  expect(h.service.check(h.connection(connection.id), 'gemini-3-pro-high')?.until).toBe(START + 600_000)
  expect(h.service.check(h.connection(connection.id), 'claude-sonnet-4-5')).toBeUndefined()
})
