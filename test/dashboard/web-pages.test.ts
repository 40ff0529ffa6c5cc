// Real Chromium against the client API: a local web app may call it (CORS), a page on another site may not
// spend the user's accounts, not even with a request the browser sends without a preflight, and a page on a
// domain re-pointed at 127.0.0.1 (DNS rebinding, simulated with Chromium's host resolver rules) is refused.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream'
import { startTestServer, type TestServer } from '../helpers/test-server'

const CHROMIUM = '/usr/bin/chromium'
setDefaultTimeout(60_000)
const available = existsSync(CHROMIUM)
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`)

let upstream: FakeUpstream
let modelmux: TestServer
let webApp: ReturnType<typeof Bun.serve>
let browser: BrowserContext
let userDataDir: string

/** What a page's script gets back from calling modelmux: a status and body, or the error fetch threw. */
type Outcome = { status: number; text: string; model: string | null } | { error: string }

describe.skipIf(!available)('web pages calling the client API (Chromium)', () => {
  beforeAll(async () => {
    upstream = startFakeUpstream()
    upstream.reply({ headers: { 'content-type': 'application/json' }, parts: ['{"id":"x","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}'] })
    modelmux = await startTestServer({ connections: [{ name: 'o', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${upstream.url}/v1`, apiKey: 'k', models: ['m'] }] })
    // Any page: the scripts are run in it by the test.
    webApp = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('<!doctype html><title>app</title>', { headers: { 'content-type': 'text/html' } }) })
    userDataDir = mkdtempSync(join(tmpdir(), 'modelmux-web-pages-'))
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--host-resolver-rules=MAP attacker.test 127.0.0.1'],
    })
  })

  afterAll(async () => {
    await browser?.close()
    webApp?.stop(true)
    await modelmux?.[Symbol.asyncDispose]()
    await upstream?.[Symbol.asyncDispose]()
    rmSync(userDataDir, { recursive: true, force: true })
  })

  /** Opens `pageUrl` and calls `target` from it: a JSON POST (preflighted), or a body of no type sent without a preflight. */
  async function callFrom(pageUrl: string, target: string, kind: 'json' | 'simple'): Promise<Outcome> {
    const page = await browser.newPage()
    try {
      await page.goto(pageUrl)
      return await page.evaluate(
        async ({ target, kind }) => {
          const body = JSON.stringify({ model: 'oa/m', messages: [{ role: 'user', content: 'hi' }] })
          try {
            const response =
              kind === 'json'
                ? await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer anything' }, body })
                : await fetch(target, { method: 'POST', mode: 'no-cors', body: new Blob([body]) })
            return { status: response.status, text: await response.text(), model: response.headers.get('x-modelmux-model') }
          } catch (error) {
            return { error: String(error) }
          }
        },
        { target, kind },
      )
    } finally {
      await page.close()
    }
  }

  test('a local web app on another port calls modelmux and reads the answer and its headers', async () => {
    const before = upstream.received.length
    const outcome = await callFrom(`http://localhost:${webApp.port}/`, `${modelmux.url}/v1/chat/completions`, 'json')
    expect(outcome).toMatchObject({ status: 200, model: 'oa/m' })
    expect(upstream.received.length).toBe(before + 1)
  })

  test('a page on another site can neither read modelmux nor make it call an upstream', async () => {
    const before = upstream.received.length
    const page = `http://attacker.test:${webApp.port}/`
    const preflighted = await callFrom(page, `${modelmux.url}/v1/chat/completions`, 'json')
    expect(preflighted).toMatchObject({ error: expect.stringContaining('Failed to fetch') })
    // Sent without a preflight, its answer unreadable: refused all the same, so nothing is spent.
    const simple = await callFrom(page, `${modelmux.url}/v1/chat/completions`, 'simple')
    expect(simple).toMatchObject({ status: 0 })
    expect(upstream.received.length).toBe(before)
  })

  test('a page on a domain re-pointed at 127.0.0.1 (same-origin to the browser) is refused', async () => {
    const before = upstream.received.length
    const port = new URL(modelmux.url).port
    const outcome = await callFrom(`http://attacker.test:${port}/v1/models`, `http://attacker.test:${port}/v1/chat/completions`, 'json')
    expect(outcome).toMatchObject({ status: 403, text: expect.stringContaining('requests must address it as localhost or 127.0.0.1') })
    expect(upstream.received.length).toBe(before)
  })
})
