import { expect, test } from 'bun:test'
import { getSubscriptionProvider } from '../../src/providers/subscription'
import { fakeJwt, sse } from './helpers/fake-provider'
import { browserCallback, createHarness, START } from './helpers/harness'

const codex = getSubscriptionProvider('cx')!.definition
const DAY = 24 * 3_600_000

function idToken(email: string, account: string) {
  return fakeJwt({ email, 'https://api.openai.com/auth': { chatgpt_account_id: account, chatgpt_plan_type: 'plus' } })
}

function scriptTokens(h: ReturnType<typeof createHarness>) {
  let issued = 0
  h.fake.on('POST /oauth/token', (call) => {
    const body = call.fields
    expect(call.headers['content-type']).toContain('application/x-www-form-urlencoded')
    if (body.grant_type === 'authorization_code' && !body.code_verifier) return Response.json({ error: 'invalid_request' }, { status: 400 })
    if (body.grant_type === 'refresh_token' && body.refresh_token === 'revoked') return Response.json({ error: { code: 'refresh_token_reused', message: 'already used' } }, { status: 401 })
    issued++
    const email = body.code === 'code-bob' ? 'bob@example.com' : 'ada@example.com'
    const account = body.code === 'code-bob' ? 'acc-bob' : 'acc-ada'
    return { access_token: `cx-at-${issued}`, refresh_token: `cx-rt-${issued}`, id_token: idToken(email, account), expires_in: 10 * 24 * 3600 }
  })
  return () => issued
}

async function login(h: ReturnType<typeof createHarness>, code = 'code-ada', name?: string) {
  const start = h.service.beginAuthorization('codex', { redirectUri: 'http://localhost:1455/auth/callback' })
  const back = browserCallback(start.authUrl, code)
  return h.service.completeAuthorization('cx', { code: `http://localhost:1455/auth/callback?code=${back.code}&state=${back.state}`, name })
}

test('Codex end to end: account from the id_token, effort suffix, always-streaming upstream, scheduler refresh with the 5-day lead', async () => {
  await using h = createHarness()
  const issued = scriptTokens(h)
  const connection = await login(h)
  expect(connection.name).toBe('cx-acc-ada')
  expect(h.service.status(h.connection(connection.id))).toMatchObject({ email: 'ada@example.com', accountId: 'acc-ada' })
  expect(JSON.parse(h.connection(connection.id).apiKey!).extra).toEqual({ plan: 'plus' })

  h.fake.on('POST /backend-api/codex/responses', () =>
    new Response(sse([{ event: 'response.created', data: { type: 'response.created', response: { id: 'resp_1' } } }, { event: 'response.completed', data: { type: 'response.completed', response: { id: 'resp_1' } } }]), {
      headers: { 'content-type': 'text/event-stream' },
    }),
  )
  const prepared = h.service.prepareCall(codex, h.connection(connection.id), {
    model: 'gpt-5.3-codex-xhigh',
    stream: false,
    body: { model: 'gpt-5.3-codex-xhigh', input: 'hello', temperature: 0.5, max_output_tokens: 99, prompt_cache_key: 'conv-42' },
  })
  expect(prepared.stream).toBe(true)
  expect(prepared.url).toBe(`${h.fake.url}/backend-api/codex/responses`)
  const response = await prepared.fetch(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) })
  expect(response.headers.get('content-type')).toBe('text/event-stream')
  await response.text()
  const sent = h.fake.callsTo('/backend-api/codex/responses')[0]
  expect(sent.headers).toMatchObject({ authorization: 'Bearer cx-at-1', 'chatgpt-account-id': 'acc-ada', accept: 'text/event-stream', session_id: 'conv-42', originator: 'codex_cli_rs' })
  expect(JSON.parse(sent.body)).toEqual({
    model: 'gpt-5.3-codex',
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] }],
    prompt_cache_key: 'conv-42',
    stream: true,
    store: false,
    reasoning: { effort: 'xhigh', summary: 'auto' },
    include: ['reasoning.encrypted_content'],
    instructions: '',
  })

  // The scheduler leaves a token alone until it is within 5 days of expiry (10-day tokens).
  h.clock.time = START + 4 * DAY
  expect(await h.service.runRefreshPass()).toEqual({ refreshed: [], failed: [] })
  h.clock.time = START + 5.5 * DAY
  expect(await h.service.runRefreshPass()).toEqual({ refreshed: [connection.id], failed: [] })
  expect(issued()).toBe(2)
  const refresh = h.fake.callsTo('/oauth/token').at(-1)!.fields
  expect(refresh).toEqual({ grant_type: 'refresh_token', refresh_token: 'cx-rt-1', client_id: 'app_EMoamEEZ73f0CkXaXp7hrann', scope: 'openid profile email' })
  expect(h.service.tokensOf(h.connection(connection.id))).toMatchObject({ accessToken: 'cx-at-2', refreshToken: 'cx-rt-2', accountId: 'acc-ada', expiresAt: START + 15.5 * DAY })
  // Fresh now: a second pass does nothing.
  expect(await h.service.runRefreshPass()).toEqual({ refreshed: [], failed: [] })
})

test('several accounts per provider, keyed by account; a re-login updates its own connection', async () => {
  await using h = createHarness()
  scriptTokens(h)
  const ada = await login(h, 'code-ada')
  const bob = await login(h, 'code-bob')
  expect(bob.id).not.toBe(ada.id)
  expect(bob.name).toBe('cx-acc-bob')
  const adaAgain = await login(h, 'code-ada')
  expect(adaAgain.id).toBe(ada.id)
  expect(h.snapshot().filter((c) => c.provider === 'codex')).toHaveLength(2)
  // --name picks the connection explicitly.
  const named = await login(h, 'code-ada', 'work-chatgpt')
  expect(named.name).toBe('work-chatgpt')
})

test('a refused refresh in the scheduler marks the connection; later passes and requests skip it', async () => {
  await using h = createHarness()
  scriptTokens(h)
  const connection = await login(h)
  // The refresh token was used elsewhere (OpenAI rotates them): the token endpoint refuses it.
  h.fake.on('POST /oauth/token', () => Response.json({ error: { code: 'refresh_token_reused', message: 'already used' } }, { status: 401 }))
  h.clock.time = START + 6 * DAY
  const pass = await h.service.runRefreshPass()
  expect(pass.refreshed).toEqual([])
  expect(pass.failed).toEqual([{ id: connection.id, reason: expect.stringContaining('refresh_token_reused') }])
  expect(h.relogins).toEqual([{ id: connection.id, reason: expect.stringContaining('refresh refused') }])
  const marked = h.connection(connection.id)
  expect(h.service.check(marked, 'gpt-5.2')).toMatchObject({ kind: 'auth' })
  const tokenCalls = h.fake.callsTo('/oauth/token').length
  expect(await h.service.runRefreshPass()).toEqual({ refreshed: [], failed: [] })
  const prepared = h.service.prepareCall(codex, marked, { model: 'gpt-5.2', stream: true, body: { model: 'gpt-5.2', input: [] } })
  const response = await prepared.fetch(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) })
  expect(response.status).toBe(401)
  expect(h.fake.callsTo('/oauth/token').length).toBe(tokenCalls)
  expect(h.fake.callsTo('/backend-api/codex/responses')).toHaveLength(0)
})

test('Codex usage windows: 100% used blocks until reset_at', async () => {
  await using h = createHarness()
  scriptTokens(h)
  const connection = await login(h)
  h.fake.on('GET /backend-api/wham/usage', (call) => {
    expect(call.headers['chatgpt-account-id']).toBe('acc-ada')
    return {
      plan_type: 'plus',
      rate_limit: {
        allowed: false,
        limit_reached: true,
        primary_window: { used_percent: 100, reset_at: (START + 3_600_000) / 1000 },
        secondary_window: { used_percent: 55, reset_after_seconds: 86_400 },
      },
    }
  })
  const snapshot = await h.service.readQuota(h.connection(connection.id))
  expect(snapshot).toEqual({
    provider: 'codex',
    connectionId: connection.id,
    readAt: START,
    plan: 'plus',
    limitReached: true,
    windows: [
      { name: 'session (5h)', usedPercent: 100, resetAt: START + 3_600_000 },
      { name: 'weekly (7d)', usedPercent: 55, resetAt: START + 86_400_000 },
    ],
  })
  expect(h.service.check(h.connection(connection.id), 'gpt-5.3-codex')).toMatchObject({ kind: 'rate-limit', until: START + 3_600_000 })
  const pass = await h.service.runQuotaPass()
  expect(pass).toEqual({ read: [connection.id], failed: [] })
})
