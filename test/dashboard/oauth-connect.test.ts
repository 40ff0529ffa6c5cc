import { describe, expect, test } from 'bun:test'
import type { AppContext } from '../../src/services/context'
import { setSetting } from '../../src/store/settings'
import { startTestServer } from '../helpers/test-server'
import { startFakeProvider, type FakeProvider } from '../oauth/helpers/fake-provider'
import { client, signIn } from './helpers'

/** Points every subscription provider's endpoints at the fake OAuth provider. */
function useFake(context: AppContext, fake: FakeProvider) {
  const ids = ['claude-code', 'codex', 'gemini-cli', 'antigravity', 'github-copilot', 'qwen-code', 'iflow', 'kiro']
  setSetting(context.db, 'settings', { ...context.registry.settings, oauth: Object.fromEntries(ids.map((id) => [id, { origin: fake.url }])) })
  context.reload()
}

const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
/** The value of a hidden (or any) input by name. */
const inputValue = (html: string, name: string) => unescape(new RegExp(`name="${name}"[^>]*? value="([^"]*)"`).exec(html)?.[1] ?? '')
const inputs = (html: string, names: string[]) => Object.fromEntries(names.map((name) => [name, inputValue(html, name)]))
/** Text without tags, whitespace collapsed. */
const textOf = (html: string) => unescape(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ')

describe('subscription logins from the Providers page', () => {
  test('authorization code: paste box with inline errors, then the pasted callback URL; a browser caught by the local listener is noticed by polling', async () => {
    await using fake = startFakeProvider()
    await using modelmux = await startTestServer()
    const context = modelmux.server.context
    useFake(context, fake)
    const dashboard = client(modelmux.url, await signIn(modelmux.url))

    // The catalogue offers Connect instead of "coming soon".
    const before = await (await dashboard.page('/dashboard/providers')).text()
    expect(before).not.toContain('coming soon')
    expect(before).toContain('action="/dashboard/providers/oauth/claude-code/start"')
    expect(before).toContain('action="/dashboard/providers/oauth/github-copilot/start"')
    expect(before).toContain('href="/dashboard/providers/oauth/kiro?flow=import"')

    fake.on('POST /v1/oauth/token', () => ({ access_token: 'cc-at', refresh_token: 'cc-rt', expires_in: 28_800, account: { uuid: 'u-1', email_address: 'ada@example.com' } }))
    fake.on('GET /api/oauth/usage', () => ({ five_hour: { utilization: 42, resets_at: new Date(Date.now() + 2 * 3_600_000).toISOString() }, seven_day: { utilization: 97 } }))

    const started = await (await dashboard.post('/dashboard/providers/oauth/cc/start')).text()
    const login = inputs(started, ['state', 'authUrl', 'redirectUri', 'listening'])
    expect(new URL(login.authUrl).origin).toBe(fake.url)
    expect(new URL(login.authUrl).searchParams.get('state')).toBe(login.state)
    expect(login.listening).toBe('1')
    expect(login.redirectUri).toMatch(/^http:\/\/localhost:\d+\/callback$/)
    expect(started).toContain('data-login-url')
    expect(started).toContain('hx-trigger="load delay:2s"')
    // The auth URL carries no secret of ours: the PKCE verifier stays on the server.
    expect(started).not.toContain('codeVerifier')

    // Inline errors: nothing pasted, then a code from another attempt.
    expect(textOf(await (await dashboard.post('/dashboard/providers/oauth/cc/exchange', { ...login, code: ' ' })).text())).toContain('paste the address the browser ended on, or the code')
    const mismatch = await (await dashboard.post('/dashboard/providers/oauth/cc/exchange', { ...login, code: 'abc#another-state' })).text()
    expect(textOf(mismatch)).toContain('state mismatch')
    expect(mismatch).toContain('id="oauth-code-error"')

    // Still waiting: the status poller replaces itself.
    const query = `state=${encodeURIComponent(login.state)}&redirect=${encodeURIComponent(login.redirectUri)}`
    const waiting = await dashboard.page(`/dashboard/providers/oauth/cc/status?${query}`, true)
    expect(waiting.headers.get('hx-retarget')).toBeNull()
    expect(await waiting.text()).toContain('hx-trigger="load delay:2s"')
    // Like the listener, the page gives up after five minutes.
    const late = await (await dashboard.page(`/dashboard/providers/oauth/cc/status?${query}&since=${Date.now() - 6 * 60_000}`, true)).text()
    expect(late).not.toContain('hx-trigger')
    expect(textOf(late)).toContain('No browser came back in time')

    // The pasted callback URL finishes the login.
    const done = await dashboard.post('/dashboard/providers/oauth/cc/exchange', { ...login, code: `${login.redirectUri}?code=abc&state=${login.state}` })
    const connected = await done.text()
    expect(textOf(connected)).toContain('Connected: saved as "cc-u-1" (ada@example.com).')
    expect(connected).toContain('id="oauth-accounts" hx-swap-oob="true"')
    expect(connected).toContain('data-connection="cc-u-1"')
    expect(fake.callsTo('/v1/oauth/token')[0].fields).toMatchObject({ code: 'abc', grant_type: 'authorization_code', redirect_uri: login.redirectUri })

    // The Providers page lists the account: email, token expiry, the first quota read with its bars and countdown.
    const listed = await (await dashboard.page('/dashboard/providers')).text()
    const account = /<article class="tile account"[\s\S]*?<\/article>/.exec(listed)?.[0] ?? ''
    expect(textOf(account)).toContain('cc-u-1 signed in')
    expect(textOf(account)).toContain('ada@example.com')
    expect(textOf(account)).toMatch(/Token expires in (7|8) h ; refreshed automatically before then\./)
    expect(textOf(account)).toMatch(/session \(5h\) 42% used .*resets in (1|2) h/)
    expect(account).toContain('aria-valuenow="97"')
    expect(account).toContain('class="meter bad"')
    expect(listed).toContain('data-connection="cc-u-1"')

    // A refused refresh: "needs re-login: <reason>" with a Re-login button.
    fake.on('POST /v1/oauth/token', () => Response.json({ error: 'invalid_grant', error_description: 'refresh token revoked' }, { status: 400 }))
    const id = context.registry.connections.find(({ connection }) => connection.name === 'cc-u-1')!.connection.id
    const refused = textOf(await (await dashboard.post(`/dashboard/providers/accounts/${id}/refresh`)).text())
    expect(refused).toContain('needs re-login: refresh refused:')
    expect(refused).toContain('Could not refresh the token')
    expect(refused).toContain('Re-login')

    // A second login caught by the local listener: the browser comes back, the poller notices.
    fake.on('POST /v1/oauth/token', () => ({ access_token: 'cc-at-2', refresh_token: 'cc-rt-2', expires_in: 28_800, account: { uuid: 'u-1', email_address: 'ada@example.com' } }))
    const again = inputs(await (await dashboard.post('/dashboard/providers/oauth/cc/start')).text(), ['state', 'redirectUri'])
    const browser = await fetch(`${again.redirectUri.replace('localhost', '127.0.0.1')}?code=def&state=${again.state}`)
    expect(await browser.text()).toContain('Saved as connection')
    const noticed = await dashboard.page(`/dashboard/providers/oauth/cc/status?state=${encodeURIComponent(again.state)}&redirect=x`, true)
    expect(noticed.headers.get('hx-retarget')).toBe('#oauth-connect')
    const relogged = await noticed.text()
    expect(textOf(relogged)).toContain('Connected: saved as "cc-u-1"')
    expect(textOf(relogged)).not.toContain('needs re-login')
    expect(context.registry.connections.filter(({ connection }) => connection.provider === 'claude-code')).toHaveLength(1)
    // An attempt this page never started: polling stops with a hint to paste instead.
    expect(textOf(await (await dashboard.page('/dashboard/providers/oauth/cc/status?state=nope&redirect=x', true)).text())).toContain('paste the address below')
  })

  test('device code: the code and page shown with copy buttons, polling until approved, then the connection is listed', async () => {
    await using fake = startFakeProvider()
    await using modelmux = await startTestServer()
    const context = modelmux.server.context
    useFake(context, fake)
    const dashboard = client(modelmux.url, await signIn(modelmux.url))
    let approved = false
    fake.on('POST /login/device/code', () => ({ device_code: 'dc-1', user_code: 'WDJB-MJHT', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 5 }))
    fake.on('POST /login/oauth/access_token', () => (approved ? { access_token: 'gho_1' } : { error: 'authorization_pending' }))
    fake.on('GET /copilot_internal/v2/token', () => ({ token: 'cop-1', expires_at: Math.floor(Date.now() / 1000) + 1800 }))
    fake.on('GET /user', () => ({ login: 'octo' }))
    fake.on('GET /copilot_internal/user', () => ({ copilot_plan: 'individual', quota_reset_date: '2099-01-01', quota_snapshots: { chat: { unlimited: true }, premium_interactions: { entitlement: 300, remaining: 240, percent_remaining: 80 } } }))

    const started = await (await dashboard.post('/dashboard/providers/oauth/gh/start')).text()
    expect(started).toContain('data-testid="user-code">WDJB-MJHT</code>')
    expect(started).toContain('data-copy="WDJB-MJHT"')
    expect(started).toContain('href="https://github.com/login/device"')
    expect(started).toContain('hx-trigger="load delay:5s, submit"')
    const device = inputs(started, ['deviceCode', 'userCode', 'verificationUri', 'verificationUriComplete', 'interval', 'expiresAt'])
    expect(device.deviceCode).toBe('dc-1')

    // Pending: the poller answers with itself (and keeps its trigger).
    const pending = await (await dashboard.post('/dashboard/providers/oauth/gh/poll', device)).text()
    expect(pending).toStartWith('<form id="oauth-device-poll"')
    expect(pending).toContain('hx-trigger="load delay:5s, submit"')
    expect(textOf(pending)).toContain('Waiting for your approval')

    // Expired: polling stops (no trigger) and a new code is offered.
    const expired = await (await dashboard.post('/dashboard/providers/oauth/gh/poll', { ...device, expiresAt: String(Date.now() - 1000) })).text()
    expect(expired).not.toContain('hx-trigger')
    expect(textOf(expired)).toContain('The code expired before it was approved. Get a new code')

    approved = true
    const done = await dashboard.post('/dashboard/providers/oauth/gh/poll', device)
    expect(done.headers.get('hx-retarget')).toBe('#oauth-connect')
    const connected = await done.text()
    expect(connected).not.toContain('hx-trigger="load')
    expect(textOf(connected)).toContain('Connected: saved as "gh-octo" (octo).')
    expect(textOf(connected)).toContain('Call its models as gh/')

    const listed = await (await dashboard.page('/dashboard/providers')).text()
    expect(listed).toContain('data-connection="gh-octo"')
    const account = /<article class="tile account"[\s\S]*?<\/article>/.exec(listed)?.[0] ?? ''
    expect(textOf(account)).toContain('plan individual')
    expect(textOf(account)).toMatch(/chat unlimited/)
    expect(textOf(account)).toMatch(/premium_interactions 20% used · 60 of 300/)
    expect(textOf(listed)).toMatch(/GitHub Copilot 1 connected Add account/)

    // "Test" on a subscription connection checks the login and reads the quota.
    const id = context.registry.connections.find(({ connection }) => connection.name === 'gh-octo')!.connection.id
    expect(textOf(await (await dashboard.post(`/dashboard/providers/connections/${id}/test`)).text())).toContain('works signed in; quota read (2 windows)')
  })

  test('Kiro refresh-token import, refusals, full-page fallbacks without JavaScript, escaping', async () => {
    await using fake = startFakeProvider()
    await using modelmux = await startTestServer()
    const context = modelmux.server.context
    useFake(context, fake)
    const cookie = await signIn(modelmux.url)
    const dashboard = client(modelmux.url, cookie)

    const form = await (await dashboard.page('/dashboard/providers/oauth/kr?flow=import', true)).text()
    expect(form).toContain('action="/dashboard/providers/oauth/kiro/import"')
    expect(textOf(await (await dashboard.post('/dashboard/providers/oauth/kiro/import', { refreshToken: 'short' })).text())).toContain('paste the whole refresh token')
    fake.on('POST /refreshToken', () => ({ accessToken: 's-at', refreshToken: 's-rt', expiresIn: 3600, profileArn: 'arn:aws:codewhisperer:us-east-1:1:profile/P' }))
    const imported = textOf(await (await dashboard.post('/dashboard/providers/oauth/kiro/import', { refreshToken: 'aorAAAAAGexample', name: 'kr-<b>work</b>' })).text())
    expect(imported).toContain('Connected: saved as "kr-<b>work</b>"')
    const page = await (await dashboard.page('/dashboard/providers')).text()
    expect(page).toContain('<span>kr-&lt;b&gt;work&lt;/b&gt;</span>')
    expect(page.replace(/="[^"]*"/g, '=""')).not.toContain('<b>work')

    // A provider that refuses to hand out a device code.
    fake.on('POST /login/device/code', () => Response.json({ error: 'unauthorized_client' }, { status: 400 }))
    const refused = textOf(await (await dashboard.post('/dashboard/providers/oauth/gh/start')).text())
    expect(refused).toContain('Could not connect GitHub Copilot')
    expect(refused).toContain('Try again')

    // Without htmx: a same-origin form post answers the whole page with the panel open.
    fake.on('POST /login/device/code', () => ({ device_code: 'dc-2', user_code: 'ABCD-EFGH', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 5 }))
    const plain = await fetch(`${modelmux.url}/dashboard/providers/oauth/gh/start`, { method: 'POST', headers: { cookie, origin: modelmux.url, 'content-type': 'application/x-www-form-urlencoded' }, body: '' })
    const document = await plain.text()
    expect(document).toStartWith('<!doctype html>')
    expect(document).toContain('ABCD-EFGH')
    // Cross-site posts are refused; an unknown provider is a 404 page, not a crash.
    expect((await fetch(`${modelmux.url}/dashboard/providers/oauth/gh/start`, { method: 'POST', headers: { cookie, origin: 'https://evil.example' } })).status).toBe(403)
    expect((await dashboard.page('/dashboard/providers/oauth/nope')).status).toBe(404)
  })
})
