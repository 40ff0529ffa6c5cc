import { expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loginHelp, runLogin, type LoginIo } from '../../src/cli/login'
import { startCallbackListener } from '../../src/oauth/callback-listener'
import { listConnections } from '../../src/store/connections'
import { openStore } from '../../src/server'
import { readRuntimeConfig } from '../../src/config/env'
import { startFakeProvider } from './helpers/fake-provider'

function capture(extra: Partial<LoginIo> = {}) {
  let out = ''
  let err = ''
  const io: LoginIo = { stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (err += text) }, ...extra }
  return { io, out: () => out, err: () => err }
}

function tempDataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'modelmux-login-'))
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) }
}

test('login --help lists every provider by id and alias and touches nothing', async () => {
  const { io, out } = capture()
  expect(await runLogin(['--help'], { DATA_DIR: '/nonexistent/never-created' }, io)).toBe(0)
  for (const [id, alias] of [['claude-code', 'cc'], ['codex', 'cx'], ['gemini-cli', 'gc'], ['antigravity', 'ag'], ['github-copilot', 'gh'], ['qwen-code', 'qw'], ['iflow', 'if'], ['kiro', 'kr']]) {
    expect(out()).toMatch(new RegExp(`\\n  ${id} +${alias}`))
  }
  expect(out()).toContain('localhost:1455')
  expect(loginHelp()).toBe(out())
  const unknown = capture()
  expect(await runLogin(['nope'], {}, unknown.io)).toBe(2)
  expect(unknown.err()).toContain('unknown provider "nope"')
})

test('login cc: prints the URL, catches the browser redirect, saves the account encrypted', async () => {
  using data = tempDataDir()
  await using fake = startFakeProvider()
  fake.on('POST /v1/oauth/token', (call) => {
    expect(call.fields.code).toBe('cli-code')
    return { access_token: 'cli-at', refresh_token: 'cli-rt', expires_in: 28_800, account: { uuid: 'u-7', email_address: 'cli@example.com' } }
  })
  const { io, out } = capture()
  const env = { DATA_DIR: data.dir, MODELMUX_OAUTH_ORIGIN: fake.url }
  const running = runLogin(['cc'], env, io)
  // Play the browser: wait for the printed URL, then follow its redirect with a code.
  let authUrl: URL | undefined
  for (let i = 0; i < 200 && !authUrl; i++) {
    const match = /(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+)/.exec(out())
    if (match) authUrl = new URL(match[1])
    else await Bun.sleep(5)
  }
  expect(authUrl).toBeDefined()
  const redirect = new URL(authUrl!.searchParams.get('redirect_uri')!)
  redirect.hostname = '127.0.0.1'
  redirect.searchParams.set('code', 'cli-code')
  redirect.searchParams.set('state', authUrl!.searchParams.get('state')!)
  expect((await fetch(redirect)).status).toBe(200)
  expect(await running).toBe(0)
  expect(out()).toContain('Saved connection "cc-u-7" (cli@example.com)')
  const { db, encryptionKey } = openStore(readRuntimeConfig(env))
  const saved = listConnections(db, encryptionKey)
  db.close()
  expect(saved.map((c) => [c.name, c.provider])).toEqual([['cc-u-7', 'claude-code']])
  expect(JSON.parse(saved[0].apiKey!)).toMatchObject({ type: 'oauth', accessToken: 'cli-at', refreshToken: 'cli-rt', email: 'cli@example.com' })
})

test('login cx with port 1455 busy falls back to a pasted callback URL (headless)', async () => {
  using data = tempDataDir()
  await using fake = startFakeProvider()
  fake.on('POST /oauth/token', (call) => {
    expect(call.fields.redirect_uri).toBe('http://localhost:1455/auth/callback')
    return { access_token: 'cx-at', refresh_token: 'cx-rt', expires_in: 864_000 }
  })
  // Hold 1455 (or find it already held) so the login cannot listen there.
  const holder = startCallbackListener({ port: 1455, path: '/held' })
  let pasted: (line: string) => void = () => {}
  const { io, out } = capture({ readLine: () => new Promise((resolve) => (pasted = resolve)) })
  try {
    const running = runLogin(['codex', '--name', 'my-chatgpt'], { DATA_DIR: data.dir, MODELMUX_OAUTH_ORIGIN: fake.url }, io)
    let state: string | null = null
    for (let i = 0; i < 200 && !state; i++) {
      const match = /(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\S+)/.exec(out())
      state = match ? new URL(match[1]).searchParams.get('state') : null
      if (!state) await Bun.sleep(5)
    }
    expect(out()).toContain('Port 1455 is busy')
    pasted(`http://localhost:1455/auth/callback?code=pasted-code&state=${state}`)
    expect(await running).toBe(0)
    expect(out()).toContain('Saved connection "my-chatgpt"')
  } finally {
    holder?.close()
  }
})

test('login gh: device code printed, polled until approved', async () => {
  using data = tempDataDir()
  await using fake = startFakeProvider()
  fake.on('POST /login/device/code', () => ({ device_code: 'dc', user_code: 'WXYZ-9876', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 5 }))
  let polls = 0
  fake.on('POST /login/oauth/access_token', () => (++polls < 3 ? { error: 'authorization_pending' } : { access_token: 'gho_cli' }))
  fake.on('GET /copilot_internal/v2/token', () => ({ token: 'cop', expires_at: Math.floor(Date.now() / 1000) + 1800 }))
  fake.on('GET /user', () => ({ login: 'octo-cli' }))
  const waits: number[] = []
  const { io, out } = capture({ sleep: async (ms) => void waits.push(ms) })
  expect(await runLogin(['gh'], { DATA_DIR: data.dir, MODELMUX_OAUTH_ORIGIN: fake.url }, io)).toBe(0)
  expect(out()).toContain('WXYZ-9876')
  expect(out()).toContain('https://github.com/login/device')
  expect(waits).toEqual([5000, 5000, 5000])
  expect(out()).toContain('Saved connection "gh-octo-cli"')
})

test('a refused login exits 1 with the reason', async () => {
  using data = tempDataDir()
  await using fake = startFakeProvider()
  fake.on('POST /login/device/code', () => ({ device_code: 'dc', user_code: 'U', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 1 }))
  fake.on('POST /login/oauth/access_token', () => ({ error: 'access_denied', error_description: 'The user denied the request' }))
  const { io, err } = capture({ sleep: async () => {} })
  expect(await runLogin(['copilot'], { DATA_DIR: data.dir, MODELMUX_OAUTH_ORIGIN: fake.url }, io)).toBe(1)
  expect(err()).toContain('access_denied')
})
