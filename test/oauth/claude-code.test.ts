import { expect, test } from 'bun:test'
import { getSubscriptionProvider } from '../../src/providers/subscription'
import { browserCallback, createHarness, START } from './helpers/harness'

const claude = getSubscriptionProvider('cc')!.definition
const HOUR = 3_600_000

/** Scripts Anthropic's token endpoint: codes and refresh tokens it accepts, and the tokens it hands out. */
function scriptTokens(h: ReturnType<typeof createHarness>, options: { revoked?: Set<string> } = {}) {
  let issued = 0
  h.fake.on('POST /v1/oauth/token', (call) => {
    const body = call.fields
    if (body.client_id !== '9d1c250a-e61b-44d9-88ed-5944d1962f5e') return Response.json({ error: 'invalid_client' }, { status: 401 })
    if (body.grant_type === 'authorization_code') {
      if (body.code !== 'good-code' || !body.code_verifier) return Response.json({ error: 'invalid_grant' }, { status: 400 })
    } else if (body.grant_type === 'refresh_token') {
      if (options.revoked?.has(body.refresh_token)) return Response.json({ error: 'invalid_grant', error_description: 'Refresh token revoked' }, { status: 400 })
    }
    issued++
    return { access_token: `at-${issued}`, refresh_token: `rt-${issued}`, expires_in: 8 * 3600, account: { uuid: 'acct-1', email_address: 'ada@example.com' }, organization: { uuid: 'org-1' } }
  })
  return () => issued
}

test('Claude Code end to end: login, first request, refresh ahead of expiry, 401 refresh-and-retry, revoked refresh → needs re-login', async () => {
  await using h = createHarness()
  const revoked = new Set<string>()
  const issued = scriptTokens(h, { revoked })
  const upstreamTokens: string[] = []
  let rejectNext = false
  h.fake.on('POST /v1/messages', (call) => {
    upstreamTokens.push(call.headers.authorization)
    if (rejectNext) {
      rejectNext = false
      return Response.json({ type: 'error', error: { type: 'authentication_error', message: 'OAuth token has expired' } }, { status: 401 })
    }
    return { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'hi' }], model: 'claude-sonnet-4-6', stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 1 } }
  })

  // Login: the authorize URL carries PKCE; the browser comes back with a code; the code is exchanged.
  const start = h.service.beginAuthorization('cc', { redirectUri: 'http://localhost:5555/callback' })
  expect(new URL(start.authUrl).origin).toBe(h.fake.url)
  expect(new URL(start.authUrl).searchParams.get('code_challenge')).toBe(start.codeChallenge!)
  const back = browserCallback(start.authUrl, 'good-code')
  // Claude's code page hands out `code#state`; that is accepted as pasted.
  const connection = await h.service.completeAuthorization('claude-code', { code: `${back.code}#${back.state}` })
  expect(connection).toMatchObject({ name: 'cc-acct-1', provider: 'claude-code', enabled: true })
  expect(h.fake.callsTo('/v1/oauth/token')[0].fields).toMatchObject({ grant_type: 'authorization_code', code: 'good-code', state: back.state, redirect_uri: 'http://localhost:5555/callback', code_verifier: start.codeVerifier })
  expect(h.logins).toEqual([connection.id])
  expect(h.service.status(h.connection(connection.id))).toMatchObject({ email: 'ada@example.com', accountId: 'acct-1', expiresAt: START + 8 * HOUR })

  // Encrypted at rest: the stored secret never shows the token.
  const row = h.db.query('SELECT secret_enc FROM connections WHERE id = ?').get(connection.id) as { secret_enc: string }
  expect(row.secret_enc).not.toContain('at-1')
  expect(h.connection(connection.id).apiKey).toContain('"accessToken":"at-1"')

  // First request: OAuth bearer, beta=true, the OAuth beta merged with the client's own betas; no identity headers added.
  const send = async () => {
    const prepared = h.service.prepareCall(claude, h.connection(connection.id), {
      model: 'claude-sonnet-4-6',
      stream: false,
      body: { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      clientHeaders: new Headers({ 'anthropic-beta': 'interleaved-thinking-2025-05-14', 'x-api-key': 'client-key' }),
    })
    return { prepared, response: await prepared.fetch(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) }) }
  }
  const first = await send()
  expect(first.prepared.url).toBe(`${h.fake.url}/v1/messages?beta=true`)
  expect(first.response.status).toBe(200)
  const sent = h.fake.callsTo('/v1/messages')[0]
  expect(sent.headers.authorization).toBe('Bearer at-1')
  expect(sent.headers['anthropic-beta']).toBe('oauth-2025-04-20,interleaved-thinking-2025-05-14')
  expect(sent.headers['anthropic-version']).toBe('2023-06-01')
  expect(sent.headers['x-api-key']).toBeUndefined()
  expect(sent.headers['user-agent']).toBe('modelmux')
  expect(sent.body).not.toContain('billing')

  // Within Claude's 4-hour lead time: the next request refreshes first, and concurrent requests share one refresh.
  h.clock.time = START + 4.5 * HOUR
  const before = issued()
  const results = await Promise.all(Array.from({ length: 5 }, send))
  expect(results.every((r) => r.response.status === 200)).toBe(true)
  expect(issued()).toBe(before + 1)
  expect(upstreamTokens.slice(-5)).toEqual(Array(5).fill('Bearer at-2'))
  expect(h.fake.callsTo('/v1/oauth/token').at(-1)!.fields).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e' })

  // A 401 mid-life: refreshed once, retried once, answered.
  rejectNext = true
  const retried = await send()
  expect(retried.response.status).toBe(200)
  expect(upstreamTokens.slice(-2)).toEqual(['Bearer at-2', 'Bearer at-3'])

  // The refresh token is revoked: the next refresh is refused → needs re-login, skipped, no upstream call.
  revoked.add('rt-3')
  rejectNext = true
  const refused = await send()
  expect(refused.response.status).toBe(401)
  expect(await refused.response.json()).toEqual({
    error: { type: 'authentication_error', code: 'needs_relogin', message: expect.stringContaining('Refresh token revoked') },
  })
  expect(h.relogins).toEqual([{ id: connection.id, reason: expect.stringContaining('invalid_grant') }])
  const marked = h.connection(connection.id)
  expect(h.service.status(marked)?.needsRelogin).toContain('refresh refused')
  expect(h.service.check(marked, 'claude-sonnet-4-6')).toEqual({ kind: 'auth', reason: expect.stringContaining('needs re-login') })
  const calls = h.fake.calls.length
  expect((await send()).response.status).toBe(401)
  expect(h.fake.calls.length).toBe(calls)

  // Logging in again with the same account revives the same connection.
  const again = h.service.beginAuthorization('cc', { redirectUri: 'http://localhost:5555/callback' })
  const relogged = await h.service.completeAuthorization('cc', { code: 'good-code', state: new URL(again.authUrl).searchParams.get('state')! })
  expect(relogged.id).toBe(connection.id)
  expect(h.service.check(h.connection(connection.id), 'claude-sonnet-4-6')).toBeUndefined()
  expect((await send()).response.status).toBe(200)
})

test('a wrong or replayed state, or an unknown login attempt, is refused', async () => {
  await using h = createHarness()
  scriptTokens(h)
  const start = h.service.beginAuthorization('cc', { redirectUri: 'http://localhost:1/callback' })
  await expect(h.service.completeAuthorization('cc', { code: 'good-code#other-state', state: start.state })).rejects.toThrow('state mismatch')
  await expect(h.service.completeAuthorization('cc', { code: 'good-code', state: 'never-issued' })).rejects.toThrow('unknown or expired login attempt')
  await h.service.completeAuthorization('cc', { code: 'good-code', state: start.state })
  await expect(h.service.completeAuthorization('cc', { code: 'good-code', state: start.state })).rejects.toThrow('unknown or expired')
})

test('a passing refresh failure keeps a still-valid token and does not mark the account', async () => {
  await using h = createHarness()
  scriptTokens(h)
  const start = h.service.beginAuthorization('cc', { redirectUri: 'http://localhost:1/callback' })
  const connection = await h.service.completeAuthorization('cc', { code: 'good-code', state: start.state })
  h.fake.on('POST /v1/oauth/token', () => new Response('upstream down', { status: 503 }))
  h.clock.time = START + 5 * HOUR
  const tokens = await h.service.ensureFresh(h.connection(connection.id))
  expect(tokens.accessToken).toBe('at-1')
  expect(h.relogins).toEqual([])
  // Past expiry a passing failure is an error (the request fails over), still not a re-login.
  h.clock.time = START + 9 * HOUR
  await expect(h.service.ensureFresh(h.connection(connection.id))).rejects.toThrow('HTTP 503')
  expect(h.service.status(h.connection(connection.id))?.needsRelogin).toBeUndefined()
})

test('Claude quota windows are read, stored and block routing until reset', async () => {
  await using h = createHarness()
  scriptTokens(h)
  const start = h.service.beginAuthorization('cc', { redirectUri: 'http://localhost:1/callback' })
  const connection = await h.service.completeAuthorization('cc', { code: 'good-code', state: start.state })
  h.fake.on('GET /api/oauth/usage', (call) => {
    expect(call.headers['anthropic-beta']).toBe('oauth-2025-04-20')
    return {
      five_hour: { utilization: 100, resets_at: new Date(START + HOUR).toISOString() },
      seven_day: { utilization: 40, resets_at: new Date(START + 72 * HOUR).toISOString() },
      seven_day_opus: { utilization: 100, resets_at: new Date(START + 48 * HOUR).toISOString() },
    }
  })
  const snapshot = await h.service.readQuota(h.connection(connection.id))
  expect(snapshot?.windows).toEqual([
    { name: 'session (5h)', usedPercent: 100, resetAt: START + HOUR },
    { name: 'weekly (7d)', usedPercent: 40, resetAt: START + 72 * HOUR },
    { name: 'weekly opus (7d)', usedPercent: 100, resetAt: START + 48 * HOUR, models: ['claude-opus'] },
  ])
  expect(h.service.getQuota(connection.id)).toEqual(snapshot)
  const c = h.connection(connection.id)
  expect(h.service.check(c, 'claude-sonnet-4-6')?.until).toBe(START + HOUR)
  expect(h.service.check(c, 'claude-opus-4-6')?.until).toBe(START + 48 * HOUR)
  h.clock.time = START + 2 * HOUR
  expect(h.service.check(c, 'claude-sonnet-4-6')).toBeUndefined()
  expect(h.service.check(c, 'claude-opus-4-6')?.until).toBe(START + 48 * HOUR)
})
