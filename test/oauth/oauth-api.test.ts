import { expect, test } from 'bun:test'
import { oauthApiRoutes } from '../../src/routes/oauth-api'
import { oauthServiceFor } from '../../src/oauth'
import { setSetting } from '../../src/store/settings'
import { startTestServer } from '../helpers/test-server'
import { startFakeProvider } from './helpers/fake-provider'

async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'test-password-1' }) })
  expect(response.status).toBe(200)
  return response.headers.get('set-cookie')!.split(';')[0]
}

test('/api/oauth: session required; device login, authorization-code login with pasted callback, quota, status', async () => {
  await using fake = startFakeProvider()
  await using modelmux = await startTestServer()
  const context = modelmux.server.context
  setSetting(context.db, 'settings', { oauth: { 'github-copilot': { origin: fake.url }, 'claude-code': { origin: fake.url } } })
  context.reload()
  const app = oauthApiRoutes(context)
  const cookie = await signIn(modelmux.url)
  const call = (path: string, init: RequestInit = {}) =>
    app.handle(new Request(`http://localhost/api/oauth${path}`, { ...init, headers: { cookie, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } }))

  expect((await app.handle(new Request('http://localhost/api/oauth/providers'))).status).toBe(401)
  const crossSite = await app.handle(new Request('http://localhost/api/oauth/gh/device-code', { method: 'POST', headers: { cookie, 'content-type': 'text/plain' } }))
  expect(crossSite.status).toBe(403)

  const providers = await (await call('/providers')).json()
  expect(providers.providers.map((p: { id: string }) => p.id)).toEqual(['claude-code', 'codex', 'gemini-cli', 'antigravity', 'github-copilot', 'qwen-code', 'iflow', 'kiro'])

  // Device flow for Copilot.
  fake.on('POST /login/device/code', () => ({ device_code: 'dc', user_code: 'UC-1', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 5 }))
  let approved = false
  fake.on('POST /login/oauth/access_token', () => (approved ? { access_token: 'gho_1' } : { error: 'authorization_pending' }))
  fake.on('GET /copilot_internal/v2/token', () => ({ token: 'cop-1', expires_at: Math.floor(Date.now() / 1000) + 1800 }))
  fake.on('GET /user', () => ({ login: 'octo' }))
  const device = await (await call('/gh/device-code', { method: 'POST' })).json()
  expect(device).toMatchObject({ userCode: 'UC-1', deviceCode: 'dc' })
  expect(await (await call('/gh/poll', { method: 'POST', body: JSON.stringify({ deviceCode: 'dc' }) })).json()).toEqual({ pending: true, slowDown: false })
  approved = true
  const saved = await (await call('/gh/poll', { method: 'POST', body: JSON.stringify({ deviceCode: 'dc' }) })).json()
  expect(saved).toEqual({ ok: true, connection: { id: expect.any(Number), name: 'gh-octo', provider: 'github-copilot', email: 'octo' } })
  // Saved (encrypted) in the store, and the registry was reloaded.
  expect(oauthServiceFor(context).connectionById(saved.connection.id)?.name).toBe('gh-octo')

  // Authorization code with the dashboard's own redirect, then the pasted callback URL.
  fake.on('POST /v1/oauth/token', () => ({ access_token: 'cc-at', refresh_token: 'cc-rt', expires_in: 28_800, account: { uuid: 'u-1', email_address: 'ada@example.com' } }))
  const started = await (await call('/cc/authorize?redirect_uri=http%3A%2F%2Flocalhost%3A20128%2Fcallback')).json()
  expect(typeof started.state).toBe('string')
  expect(typeof started.codeVerifier).toBe('string')
  expect(started).toMatchObject({ redirectUri: 'http://localhost:20128/callback', listening: false })
  const bad = await call('/cc/exchange', { method: 'POST', body: JSON.stringify({ code: 'x', state: 'nope' }) })
  expect(bad.status).toBe(400)
  const exchanged = await (await call('/cc/exchange', { method: 'POST', body: JSON.stringify({ code: `http://localhost:20128/callback?code=abc&state=${started.state}` }) })).json()
  expect(exchanged.connection).toMatchObject({ name: 'cc-u-1', provider: 'claude-code', email: 'ada@example.com' })

  // Quota (stored snapshot; refresh=1 reads it) and an unknown connection.
  fake.on('GET /api/oauth/usage', () => ({ five_hour: { utilization: 12, resets_at: '2030-01-01T00:00:00Z' } }))
  const quota = await (await call(`/quota/${exchanged.connection.id}?refresh=1`)).json()
  expect(quota.quota.windows).toEqual([{ name: 'session (5h)', usedPercent: 12, resetAt: Date.parse('2030-01-01T00:00:00Z') }])
  expect(quota.status).toMatchObject({ email: 'ada@example.com' })
  expect((await call('/quota/99999')).status).toBe(404)
  expect(oauthServiceFor(context).getQuota(exchanged.connection.id)?.windows).toHaveLength(1)

  // Unknown provider, wrong flow.
  expect((await call('/nope/device-code', { method: 'POST' })).status).toBe(400)
  expect((await call('/gh/authorize')).status).toBe(400)
})

test('/api/oauth/:provider/authorize without a redirect catches the browser on a local port and finishes the login itself', async () => {
  await using fake = startFakeProvider()
  await using modelmux = await startTestServer()
  const context = modelmux.server.context
  setSetting(context.db, 'settings', { oauth: { 'gemini-cli': { origin: fake.url } } })
  context.reload()
  fake.on('POST /token', () => ({ access_token: 'g-at', refresh_token: 'g-rt', expires_in: 3599 }))
  fake.on('GET /oauth2/v2/userinfo', () => ({ email: 'ada@gmail.com' }))
  fake.on('POST /v1internal:loadCodeAssist', () => ({ currentTier: { id: 'free-tier' }, cloudaicompanionProject: 'p-1' }))
  const app = oauthApiRoutes(context)
  const cookie = await signIn(modelmux.url)
  const started = await (await app.handle(new Request('http://localhost/api/oauth/gc/authorize', { headers: { cookie } }))).json()
  expect(started.listening).toBe(true)
  expect(started.redirectUri).toMatch(/^http:\/\/localhost:\d+\/oauth2callback$/)
  const status = () => app.handle(new Request(`http://localhost/api/oauth/gc/status?state=${started.state}`, { headers: { cookie } })).then((r) => r.json())
  expect(await status()).toEqual({ status: 'pending' })
  // The browser comes back to the listener.
  const page = await fetch(`${started.redirectUri.replace('localhost', '127.0.0.1')}?code=g-code&state=${started.state}`)
  expect(await page.text()).toContain('Saved as connection')
  expect(await status()).toMatchObject({ status: 'done', connection: { name: 'gc-ada@gmail.com', provider: 'gemini-cli' } })
})
