/** Logins in progress are the app's (one OAuth service per context), not one route instance's; listeners end with their login. */
import { expect, test } from 'bun:test'
import { oauthServiceFor } from '../../src/oauth'
import { startCallbackListener } from '../../src/oauth/callback-listener'
import { createPendingLogins } from '../../src/oauth/pending-logins'
import { oauthApiRoutes } from '../../src/routes/oauth-api'
import type { AppContext } from '../../src/services/context'
import { setSetting } from '../../src/store/settings'
import { startTestServer } from '../helpers/test-server'
import { startFakeProvider, type FakeProvider } from './helpers/fake-provider'

async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'test-password-1' }) })
  expect(response.status).toBe(200)
  return response.headers.get('set-cookie')!.split(';')[0]
}

/** Two separate instances of the `/api/oauth` routes (the public one and the dashboard's in-process one). */
async function twoApis(context: AppContext, url: string) {
  const cookie = await signIn(url)
  return [oauthApiRoutes(context), oauthApiRoutes(context)].map((app) => (path: string, init: RequestInit = {}) =>
    app.handle(new Request(`http://localhost/api/oauth${path}`, { ...init, headers: { cookie, 'content-type': 'application/json' } })),
  )
}

function useFake(context: AppContext, fake: FakeProvider, ids: string[]) {
  setSetting(context.db, 'settings', { oauth: Object.fromEntries(ids.map((id) => [id, { origin: fake.url }])) })
  context.reload()
}

/** Whether something still accepts connections on a local port. */
const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/`).then(
    () => true,
    () => false,
  )

test('a login started through one /api/oauth instance is seen and finished through another', async () => {
  await using fake = startFakeProvider()
  await using modelmux = await startTestServer()
  const context = modelmux.server.context
  useFake(context, fake, ['gemini-cli'])
  fake.on('POST /token', () => ({ access_token: 'g-at', refresh_token: 'g-rt', expires_in: 3599 }))
  fake.on('GET /oauth2/v2/userinfo', () => ({ email: 'ada@gmail.com' }))
  fake.on('POST /v1internal:loadCodeAssist', () => ({ currentTier: { id: 'free-tier' }, cloudaicompanionProject: 'p-1' }))
  const [publicApi, dashboardApi] = await twoApis(context, modelmux.url)

  const started = await (await publicApi('/gc/authorize')).json()
  expect(started.listening).toBe(true)
  expect(await (await dashboardApi(`/gc/status?state=${started.state}`)).json()).toEqual({ status: 'pending' })
  expect(oauthServiceFor(context).loginStatus(started.state)).toEqual({ status: 'pending' })

  // A redirect for another attempt is refused without ending the wait.
  const port = Number(new URL(started.redirectUri).port)
  const stale = await fetch(`http://127.0.0.1:${port}/oauth2callback?code=x&state=other`)
  expect(await stale.text()).toContain('state mismatch')
  expect(await (await dashboardApi(`/gc/status?state=${started.state}`)).json()).toEqual({ status: 'pending' })

  const page = await fetch(`http://127.0.0.1:${port}/oauth2callback?code=g-code&state=${started.state}`)
  expect(await page.text()).toContain('Saved as connection')
  expect(await (await dashboardApi(`/gc/status?state=${started.state}`)).json()).toEqual({
    status: 'done',
    connection: { id: expect.any(Number), name: 'gc-ada@gmail.com', provider: 'gemini-cli', email: 'ada@gmail.com' },
  })
  expect(await (await publicApi(`/gc/status?state=${started.state}`)).json()).toMatchObject({ status: 'done' })
  expect((await publicApi('/gc/status?state=unknown')).status).toBe(404)
})

test('a listener that gives up makes the login "expired" and frees its port', async () => {
  await using fake = startFakeProvider()
  await using modelmux = await startTestServer()
  const context = modelmux.server.context
  useFake(context, fake, ['gemini-cli'])
  const [api] = await twoApis(context, modelmux.url)
  const started = oauthServiceFor(context).listenForAuthorization('gc', { timeoutMs: 50 })
  expect(started.listening).toBe(true)
  const port = Number(new URL(started.redirectUri).port)
  expect(await (await api(`/gc/status?state=${started.state}`)).json()).toEqual({ status: 'pending' })
  await Bun.sleep(150)
  const status = await (await api(`/gc/status?state=${started.state}`)).json()
  expect(status).toEqual({ status: 'expired', error: 'no browser redirect arrived in time' })
  expect(await answers(port)).toBe(false)
})

test("a pasted code finishes a listened Codex login and closes the listener at once: port 1455 is free again", async () => {
  await using fake = startFakeProvider()
  await using modelmux = await startTestServer()
  const context = modelmux.server.context
  useFake(context, fake, ['codex'])
  fake.on('POST /oauth/token', () => ({ access_token: 'cx-at', refresh_token: 'cx-rt', expires_in: 864_000 }))
  const [publicApi, dashboardApi] = await twoApis(context, modelmux.url)

  const started = await (await dashboardApi('/cx/authorize')).json()
  expect(started).toMatchObject({ listening: true, redirectUri: 'http://localhost:1455/auth/callback' })
  expect(startCallbackListener({ port: 1455, path: '/busy' })).toBeUndefined()

  const exchanged = await publicApi('/cx/exchange', { method: 'POST', body: JSON.stringify({ code: `http://localhost:1455/auth/callback?code=pasted&state=${started.state}` }) })
  expect(exchanged.status).toBe(200)
  expect(await (await dashboardApi(`/cx/status?state=${started.state}`)).json()).toMatchObject({ status: 'done', connection: { provider: 'codex' } })

  // The port is free again right away: a second login can listen on it.
  const next = startCallbackListener({ port: 1455, path: '/auth/callback' })
  expect(next).toBeDefined()
  next!.close()
  // The earlier listener's timeout no longer changes the finished login.
  expect(oauthServiceFor(context).loginStatus(started.state)?.status).toBe('done')
})

test('pending logins: settled outcomes stick; old attempts are swept and their listeners closed', async () => {
  const clock = { time: 0 }
  const logins = createPendingLogins(() => clock.time)
  const listener = startCallbackListener({ path: '/cb' })!
  logins.listen('s-1', listener)
  logins.settle('s-1', { status: 'done' }, false)
  logins.settle('s-1', { status: 'expired' })
  expect(logins.status('s-1')).toEqual({ status: 'done' })
  expect(await answers(listener.port)).toBe(true)
  logins.listen('s-2', listener)
  clock.time = 16 * 60_000
  logins.sweep()
  expect(logins.status('s-1')).toBeUndefined()
  expect(logins.status('s-2')).toBeUndefined()
  expect(await answers(listener.port)).toBe(false)
})
