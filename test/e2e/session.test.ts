import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { startTestServer } from '../helpers/test-server'

const json = (body: unknown, cookie?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
  body: JSON.stringify(body),
})

async function signIn(url: string, password = 'test-password-1'): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, json({ password }))
  expect(response.status).toBe(200)
  const setCookie = response.headers.get('set-cookie') ?? ''
  expect(setCookie).toMatch(/auth_token=/)
  expect(setCookie).toMatch(/HttpOnly/i)
  expect(setCookie).toMatch(/SameSite=Strict/i)
  return setCookie.split(';')[0]
}

describe('dashboard session', () => {
  test('every /api route except login needs the session', async () => {
    await using modelmux = await startTestServer({
      connections: [{ name: 'secret-holder', provider: 'openai-compatible', prefix: 'v', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-very-secret-upstream' }],
    })
    for (const path of ['/api/providers', '/api/keys', '/api/health']) {
      const response = await fetch(modelmux.url + path)
      expect(response.status).toBe(401)
    }
    expect((await fetch(`${modelmux.url}/api/auth/login`, json({ password: 'wrong-password' }))).status).toBe(401)
    const cookie = await signIn(modelmux.url)
    const providers = await fetch(`${modelmux.url}/api/providers`, { headers: { cookie } })
    expect(providers.status).toBe(200)
    const text = await providers.text()
    expect(text).not.toContain('sk-very-secret-upstream')
    expect(JSON.parse(text).connections[0]).toMatchObject({ name: 'secret-holder', provider: 'openai-compatible', prefix: 'v', hasSecret: true })
  })

  test('keys created through the API work once and are listed without their secret', async () => {
    await using modelmux = await startTestServer({}, { REQUIRE_API_KEY: 'true' })
    const cookie = await signIn(modelmux.url)
    const created = await (await fetch(`${modelmux.url}/api/keys`, json({ name: 'ci' }, cookie))).json()
    expect(created.key).toMatch(/^sk-mm-/)
    const listed = await (await fetch(`${modelmux.url}/api/keys`, { headers: { cookie } })).text()
    expect(listed).not.toContain(created.key)
    expect((await fetch(`${modelmux.url}/v1/models`, { headers: { authorization: `Bearer ${created.key}` } })).status).toBe(200)
    expect((await fetch(`${modelmux.url}/api/keys/${created.id}`, { method: 'DELETE', headers: { cookie, 'hx-request': 'true' } })).status).toBe(200)
    expect((await fetch(`${modelmux.url}/v1/models`, { headers: { authorization: `Bearer ${created.key}` } })).status).toBe(401)
  })

  test('cross-site writes are refused', async () => {
    await using modelmux = await startTestServer()
    const cookie = await signIn(modelmux.url)
    const forged = await fetch(`${modelmux.url}/api/keys`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: '{"name":"x"}',
    })
    expect(forged.status).toBe(403)
  })

  test('pages: / leads to login, the login form signs in, the overview lists keys and connections', async () => {
    await using modelmux = await startTestServer({
      connections: [{ name: 'local <b>vllm</b>', provider: 'openai-compatible', prefix: 'vllm', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-x', models: ['qwen'] }],
      apiKeys: [{ name: 'laptop', key: 'sk-mm-0123456789abcdef0123' }],
    })
    const root = await fetch(`${modelmux.url}/`, { redirect: 'manual' })
    expect(root.status).toBe(303)
    expect(root.headers.get('location')).toBe('/login')
    const login = await fetch(`${modelmux.url}/login`)
    expect(login.headers.get('content-type')).toContain('text/html')
    expect(await login.text()).toContain('type="password"')
    const bad = await fetch(`${modelmux.url}/login`, { method: 'POST', body: new URLSearchParams({ password: 'nope-nope' }), headers: { origin: modelmux.url }, redirect: 'manual' })
    expect(bad.status).toBe(401)
    const good = await fetch(`${modelmux.url}/login`, { method: 'POST', body: new URLSearchParams({ password: 'test-password-1' }), headers: { origin: modelmux.url }, redirect: 'manual' })
    expect(good.status).toBe(303)
    const cookie = (good.headers.get('set-cookie') ?? '').split(';')[0]
    const page = await (await fetch(`${modelmux.url}/dashboard`, { headers: { cookie } })).text()
    expect(page).toContain('local &lt;b&gt;vllm&lt;/b&gt;')
    expect(page).toContain('laptop')
    expect(page).not.toContain('sk-mm-0123456789abcdef0123')
    expect((await fetch(`${modelmux.url}/dashboard`, { redirect: 'manual' })).status).toBe(303)
    for (const asset of ['/static/htmx.min.js', '/static/alpine.min.js', '/static/app.css']) {
      expect((await fetch(modelmux.url + asset)).status).toBe(200)
    }
  })

  // Two source addresses on one machine: IPv4 and IPv6 loopback, with the server listening on both.
  const ipv6Loopback = (() => {
    try {
      return /^0{31}1 .* lo$/m.test(readFileSync('/proc/net/if_inet6', 'utf8'))
    } catch {
      return false
    }
  })()
  test.skipIf(!ipv6Loopback)('failed sign-ins are counted per address: one address locked out does not lock out another', async () => {
    await using modelmux = await startTestServer({}, { HOSTNAME: '::' })
    const port = new URL(modelmux.url.replace('[::]', '127.0.0.1')).port
    const attempt = (host: string, path: string) => fetch(`http://${host}:${port}${path}`, json({ password: 'wrong-password' }))
    for (let i = 0; i < 10; i++) expect((await attempt('127.0.0.1', '/api/auth/login')).status).toBe(401)
    expect((await attempt('127.0.0.1', '/api/auth/login')).status).toBe(429)
    expect((await attempt('[::1]', '/api/auth/login')).status).toBe(401)
    const form = (host: string) => fetch(`http://${host}:${port}/login`, { method: 'POST', headers: { origin: `http://${host}:${port}` }, body: new URLSearchParams({ password: 'wrong-password' }) })
    for (let i = 0; i < 10; i++) await form('127.0.0.1')
    expect((await form('127.0.0.1')).status).toBe(429)
    expect((await form('[::1]')).status).toBe(401)
  })
})
