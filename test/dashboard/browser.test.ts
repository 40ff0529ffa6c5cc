import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream'
import { startTestServer, type TestServer } from '../helpers/test-server'

const CHROMIUM = '/usr/bin/chromium'
// A real browser: page loads and swaps take longer than bun's 5 s default allows for a whole flow.
setDefaultTimeout(60_000)
const available = existsSync(CHROMIUM)
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`)

const pages = ['Endpoint', 'Providers', 'Combos', 'Playground', 'Usage', 'Quota', 'Logs', 'CLI Tools', 'Settings']
const completion = JSON.stringify({
  id: 'c1',
  object: 'chat.completion',
  model: 'qwen',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
})

let upstream: FakeUpstream
let modelmux: TestServer
let browser: BrowserContext
let home: string
let userDataDir: string
const previousHome = process.env.HOME

/** A page that records every failed request, console error and uncaught exception. */
async function openPage(width = 1280, height = 900): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage()
  await page.setViewportSize({ width, height })
  const problems: string[] = []
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.request().method()} ${response.url()}`)
  })
  page.on('requestfailed', (request) => problems.push(`failed ${request.method()} ${request.url()}: ${request.failure()?.errorText}`))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('dialog', (dialog) => dialog.accept())
  return { page, problems }
}

/** Waits until the element's trimmed text is `text`. */
async function waitForText(page: Page, selector: string, text: string) {
  await page.waitForFunction(([s, t]) => document.querySelector(s)?.textContent?.trim() === t, [selector, text] as const)
}

async function signIn(page: Page) {
  await page.goto(`${modelmux.url}/login`)
  await page.fill('input[name=password]', 'test-password-1')
  await page.click('button[type=submit]')
  await page.waitForURL(`${modelmux.url}/dashboard`)
}

describe.skipIf(!available)('dashboard in Chromium', () => {
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'modelmux-home-'))
    userDataDir = mkdtempSync(join(tmpdir(), 'modelmux-chromium-'))
    process.env.HOME = home
    upstream = startFakeUpstream()
    upstream.reply({ parts: [completion] })
    modelmux = await startTestServer({
      connections: [{ name: 'fake-vllm', provider: 'openai-compatible', prefix: 'vllm', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-up', models: ['qwen', 'coder'] }],
      combos: [{ name: 'stack', models: ['vllm/qwen', 'vllm/coder', 'vllm/third'] }],
    })
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${modelmux.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'stack', messages: [{ role: 'user', content: 'hello' }] }),
      })
      expect(response.status).toBe(200)
    }
    await modelmux.server.context.usage.flush()
    // A persistent context is how Playwright passes a fresh --user-data-dir.
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
  })

  afterAll(async () => {
    await browser?.close()
    await modelmux?.[Symbol.asyncDispose]()
    await upstream?.[Symbol.asyncDispose]()
    process.env.HOME = previousHome
    rmSync(home, { recursive: true, force: true })
    rmSync(userDataDir, { recursive: true, force: true })
  })

  test('sign in, visit every page through the nav and by full load, with no failed request or console error', async () => {
    const { page, problems } = await openPage()
    await signIn(page)
    for (const label of pages) {
      await page.click(`#nav a:text-is("${label}")`)
      await waitForText(page, 'h1.page-title', label)
      await waitForText(page, '#nav a[aria-current=page]', label)
      expect(await page.title()).toBe(`${label} · modelmux`)
    }
    for (const href of await page.locator('#nav a').evaluateAll((links) => links.map((link) => (link as HTMLAnchorElement).href))) {
      await page.goto(href)
      await page.waitForLoadState('networkidle')
    }
    await page.goto(`${modelmux.url}/dashboard/usage`)
    await waitForText(page, '#usage-live .stat .value', '3')
    await page.screenshot({ path: '/tmp/modelmux-usage.png', fullPage: true })
    expect(problems).toEqual([])
  })

  test('a new client key is shown once, then only its hint', async () => {
    const { page, problems } = await openPage()
    await signIn(page)
    await page.fill('#key-name', 'laptop')
    await page.click('#keys button[type=submit]')
    const key = (await page.locator('[data-testid=new-key]').textContent())?.trim() ?? ''
    expect(key).toMatch(/^sk-mm-/)
    expect((await fetch(`${modelmux.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200)
    await page.reload()
    await page.waitForSelector('#keys td:text-is("laptop")')
    expect(await page.content()).not.toContain(key)
    // Its limits open in its row and save in place.
    const row = '#keys tr:has(td:text-is("laptop"))'
    await page.click(`${row} summary`)
    await page.fill(`${row} input[name=requestsPerMinute]`, '0')
    await page.click(`${row} button:text-is("Save limits")`)
    await page.waitForSelector(`${row} .field-error:text-is("at least 1")`)
    await page.fill(`${row} input[name=requestsPerMinute]`, '30')
    await page.fill(`${row} input[name=models]`, 'v/*, fast')
    await page.click(`${row} button:text-is("Save limits")`)
    await page.waitForSelector(`${row} summary:text-is("30 requests/min · models v/*, fast")`)
    await page.click(`${row} button:text-is("Disable")`)
    await page.waitForSelector(`${row} .badge:text-is("disabled")`)
    expect(problems).toEqual([])
  })

  test('adding a connection shows inline errors first, then the new connection', async () => {
    const { page, problems } = await openPage()
    await signIn(page)
    await page.click('#nav a:text-is("Providers")')
    await page.selectOption('#connection-form-provider', 'anthropic-compatible')
    await page.fill('#connection-form-prefix', 'has spaces')
    await page.click('#connection-form button[type=submit]')
    await waitForText(page, '#connection-form-name-error', 'name is required')
    await waitForText(page, '#connection-form-prefix-error', 'letters, digits, ".", "_" or "-" only')
    await waitForText(page, '#connection-form-baseUrl-error', 'required for anthropic-compatible')
    await page.fill('#connection-form-name', 'my-claude-proxy')
    await page.fill('#connection-form-prefix', 'cp')
    await page.fill('#connection-form-baseUrl', `${upstream.url}/v1`)
    await page.fill('#connection-form-apiKey', 'sk-proxy')
    await page.click('#connection-form button[type=submit]')
    await page.waitForSelector('#connections [data-connection="my-claude-proxy"]')
    await page.waitForSelector('#connection-form .notice-ok')
    expect(modelmux.server.context.registry.byPrefix.get('cp')?.[0].connection.apiKey).toBe('sk-proxy')
    await page.click('[data-connection="my-claude-proxy"] button:text-is("Disable")')
    await page.waitForSelector('[data-connection="my-claude-proxy"] .badge:text-is("disabled")')
    await page.click('[data-connection="my-claude-proxy"] button:text-is("Delete")')
    await page.waitForSelector('[data-connection="my-claude-proxy"]', { state: 'detached' })
    await page.screenshot({ path: '/tmp/modelmux-providers.png', fullPage: true })
    expect(problems).toEqual([])
  })

  test('Test all presses every enabled connection\'s test; each answers in its own card', async () => {
    const { page, problems } = await openPage()
    await signIn(page)
    await page.click('#nav a:text-is("Providers")')
    await page.waitForSelector('#connections [data-test-connection]')
    const enabled = await page.locator('[data-test-connection]').count()
    expect(enabled).toBeGreaterThan(0)
    await page.click('#connections button:text-is("Test all")')
    await page.waitForFunction((count) => document.querySelectorAll('.test-result .badge').length === count, enabled)
    expect(await page.locator('.test-result .badge').allTextContents()).toEqual(Array(enabled).fill('works'))
    expect(problems).toEqual([])
  })

  test('a combo is reordered by dragging and saved', async () => {
    const { page, problems } = await openPage()
    await signIn(page)
    await page.click('#nav a:text-is("Combos")')
    await page.click('[data-combo="stack"] button:text-is("Edit")')
    await page.waitForSelector('#combo-models li[data-model="vllm/third"]')
    await page.dragAndDrop('#combo-models li[data-model="vllm/third"]', '#combo-models li[data-model="vllm/qwen"]')
    const order = () => page.locator('#combo-models li .name').allTextContents()
    expect(await order()).toEqual(['vllm/third', 'vllm/qwen', 'vllm/coder'])
    await page.click('#combo-models li[data-model="vllm/coder"] button[aria-label="Move up"]')
    expect(await order()).toEqual(['vllm/third', 'vllm/coder', 'vllm/qwen'])
    await page.click('#combo-form button[type=submit]')
    await waitForText(page, '[data-combo="stack"] .combo-order', 'vllm/third → vllm/coder → vllm/qwen')
    expect(modelmux.server.context.registry.combos.get('stack')?.models).toEqual(['vllm/third', 'vllm/coder', 'vllm/qwen'])
    expect(problems).toEqual([])
  })

  test('the playground refuses an empty prompt inline, then streams the answer live and ends with the model that gave it and its trace', async () => {
    const { page, problems } = await openPage()
    await signIn(page)
    await page.click('#nav a:text-is("Playground")')
    await page.fill('#playground-model', 'vllm/coder')
    await page.click('#playground-form button[type=submit]')
    await page.waitForSelector('#playground-form .field-error:text-is("required")')
    expect(await page.inputValue('#playground-model')).toBe('vllm/coder')
    // A streamed answer held mid-way: the first words show before the upstream finishes.
    const hold = Promise.withResolvers<void>()
    const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ id: 'c2', object: 'chat.completion.chunk', model: 'coder', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
    upstream.reply({
      headers: { 'content-type': 'text/event-stream' },
      parts: [chunk({ role: 'assistant', content: 'Hello' }), { pause: hold.promise }, chunk({ content: ' <b>there</b>' }), chunk({}, 'stop'), `data: ${JSON.stringify({ id: 'c2', object: 'chat.completion.chunk', model: 'coder', choices: [], usage: { prompt_tokens: 12, completion_tokens: 3 } })}\n\n`, 'data: [DONE]\n\n'],
    })
    await page.selectOption('#playground-format', 'anthropic-messages')
    await page.fill('#playground-prompt', 'say hi')
    await page.click('#playground-form button[type=submit]')
    await waitForText(page, '#playground-answer [data-live-text]', 'Hello')
    expect(await page.isDisabled('#playground-form button[type=submit]')).toBe(true)
    hold.resolve()
    await waitForText(page, '#playground-answer pre.answer', 'Hello <b>there</b>')
    expect(await page.locator('#playground-form .field-error').count()).toBe(0)
    expect(await page.isDisabled('#playground-form button[type=submit]')).toBe(false)
    // The exchange joined the conversation; the prompt box is empty for the next message.
    expect(await page.locator('#playground-form .conversation pre').allTextContents()).toEqual(['say hi', 'Hello <b>there</b>'])
    expect(await page.inputValue('#playground-prompt')).toBe('')
    const facts = await page.locator('#playground-answer > p.muted').textContent()
    expect(facts).toContain('answered by vllm/coder')
    expect(facts).toContain('12 in / 3 out tokens')
    await page.waitForSelector('#playground-answer table.requests code:text-is("vllm/coder")')
    // The prompt went out as an Anthropic client sends it, translated for this OpenAI-compatible upstream.
    expect(JSON.parse(upstream.received.at(-1)!.body).messages).toEqual([{ role: 'user', content: 'say hi' }])
    await page.screenshot({ path: '/tmp/modelmux-playground.png', fullPage: true })
    upstream.reply({ parts: [completion] })
    // Chromium at times reports a fetch whose body the page read to its end through a stream reader as aborted
    // (5 of 20 in a loop here, none with response.text()); the answer above shows the body did arrive whole.
    expect(problems.filter((problem) => !/^failed POST \S+\/dashboard\/playground\/live: net::ERR_ABORTED$/.test(problem))).toEqual([])
  })

  test('the theme toggles and stays toggled; the phone layout fits the screen', async () => {
    const { page, problems } = await openPage(390, 844)
    await signIn(page)
    const theme = () => page.evaluate(() => ({ attribute: document.documentElement.dataset.theme, background: getComputedStyle(document.body).backgroundColor }))
    const before = await theme()
    await page.click('[data-theme-toggle]')
    const after = await theme()
    expect(after.attribute).toBeDefined()
    expect(after.background).not.toBe(before.background)
    await page.reload()
    expect((await theme()).attribute).toBe(after.attribute)
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await page.screenshot({ path: '/tmp/modelmux-endpoint-phone.png', fullPage: true })
    await page.click('[data-theme-toggle]')
    expect((await theme()).attribute).toBe(before.attribute ?? (after.attribute === 'dark' ? 'light' : 'dark'))
    expect(problems).toEqual([])
  })

  test('a spending limit and a price are set through the forms; every page fits a phone, and no breakdown number is cut off', async () => {
    const { page, problems } = await openPage()
    await signIn(page)
    await page.goto(`${modelmux.url}/dashboard/quota`)
    await page.selectOption('#budget-target', 'connection:fake-vllm')
    await page.fill('#budget-tokens', '1000000')
    await page.click('#budgets button:text-is("Add limit")')
    await waitForText(page, '#budgets .notice', 'Limit added.')
    expect(await page.locator('#budgets .budget strong').textContent()).toBe('connection fake-vllm')
    await page.goto(`${modelmux.url}/dashboard/settings#prices`)
    await page.selectOption('#price-provider', 'openai-compatible')
    await page.fill('#price-model', 'qwen')
    await page.fill('#price-input', '0.5')
    await page.fill('#price-output', 'lots')
    await page.click('#prices button:text-is("Save price")')
    await page.waitForSelector('#price-output-error')
    await page.fill('#price-output', '1.5')
    await page.click('#prices button:text-is("Save price")')
    await page.waitForFunction(() => document.querySelector('#prices .notice')?.textContent?.startsWith('Saved: qwen'))
    // A request priced at that price: its cost has four decimals, the widest the breakdowns show.
    const priced = await fetch(`${modelmux.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'vllm/qwen', messages: [{ role: 'user', content: 'hello' }] }) })
    expect(priced.status).toBe(200)
    await priced.text()
    await modelmux.server.context.usage.flush()
    // On a desktop, every breakdown table fits its tile: the cost column is not scrolled out of sight.
    await page.goto(`${modelmux.url}/dashboard/usage`)
    expect(await page.evaluate(() => [...document.querySelectorAll('.breakdown')].every((table) => table.scrollWidth <= (table.parentElement as HTMLElement).clientWidth))).toBe(true)
    await page.setViewportSize({ width: 390, height: 844 })
    for (const path of ['/dashboard', '/dashboard/usage', '/dashboard/quota', '/dashboard/settings', '/dashboard/logs']) {
      await page.goto(`${modelmux.url}${path}`)
      expect([path, await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)]).toEqual([path, true])
    }
    await page.goto(`${modelmux.url}/dashboard/quota`)
    await page.screenshot({ path: '/tmp/modelmux-quota-phone.png', fullPage: true })
    expect(problems).toEqual([])
  })

  test('CLI tools: writing the Claude Code config into the home directory', async () => {
    const { page, problems } = await openPage()
    await signIn(page)
    await page.click('#nav a:text-is("CLI Tools")')
    await page.fill('#tool-claude-code-model', 'stack')
    await page.click('#tool-claude-code button[type=submit]')
    await page.waitForSelector('#tool-claude-code .notice-ok')
    const settings = JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8'))
    expect(settings.env).toMatchObject({ ANTHROPIC_BASE_URL: modelmux.url, ANTHROPIC_MODEL: 'stack' })
    expect((await fetch(`${modelmux.url}/v1/models`, { headers: { 'x-api-key': settings.env.ANTHROPIC_AUTH_TOKEN } })).status).toBe(200)
    await page.click('#tool-claude-code button:text-is("Reset")')
    await page.waitForSelector('#tool-claude-code .notice-ok:has-text("Removed")')
    expect(JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8')).env).toBeUndefined()
    expect(problems).toEqual([])
  })

  test('connecting GitHub Copilot by device code: code shown and copied, polling notices the approval, the account is listed', async () => {
    // Imported here so this test stays self-contained at the end of the file.
    const { startFakeProvider } = await import('../oauth/helpers/fake-provider')
    const { setSetting } = await import('../../src/store/settings')
    await using fake = startFakeProvider()
    const context = modelmux.server.context
    setSetting(context.db, 'settings', { ...context.registry.settings, oauth: { 'github-copilot': { origin: fake.url } } })
    context.reload()
    let approved = false
    fake.on('POST /login/device/code', () => ({ device_code: 'dc-b', user_code: 'BRWS-2468', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 1 }))
    fake.on('POST /login/oauth/access_token', () => (approved ? { access_token: 'gho_b' } : { error: 'authorization_pending' }))
    fake.on('GET /copilot_internal/v2/token', () => ({ token: 'cop-b', expires_at: Math.floor(Date.now() / 1000) + 1800 }))
    fake.on('GET /user', () => ({ login: 'octo-browser' }))
    fake.on('GET /copilot_internal/user', () => ({
      copilot_plan: 'individual',
      quota_reset_date: new Date(Date.now() + 9 * 86_400_000).toISOString(),
      quota_snapshots: { chat: { unlimited: true }, premium_interactions: { entitlement: 300, remaining: 105, percent_remaining: 35 } },
    }))
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: modelmux.url })
    const { page, problems } = await openPage()
    await signIn(page)
    await page.click('#nav a:text-is("Providers")')
    await page.click('[data-provider="github-copilot"] button[data-connect]')
    await waitForText(page, '[data-testid=user-code]', 'BRWS-2468')
    await page.click('#oauth-connect button[data-copy="BRWS-2468"]')
    await waitForText(page, '#oauth-connect button[data-copy="BRWS-2468"]', 'Copied')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('BRWS-2468')
    // The page polls on its own; approve once it has asked at least twice.
    while (fake.callsTo('/login/oauth/access_token').length < 2) await Bun.sleep(100)
    expect(await page.locator('#oauth-device-poll').count()).toBe(1)
    await page.screenshot({ path: '/tmp/modelmux-oauth-device.png' })
    approved = true
    await page.waitForSelector('[data-testid=oauth-connected]')
    expect(await page.locator('[data-testid=oauth-connected]').textContent()).toContain('"gh-octo-browser" (octo-browser)')
    await page.waitForSelector('#oauth-accounts [data-account="gh-octo-browser"] [data-window="premium_interactions"]')
    await page.waitForSelector('#connections [data-connection="gh-octo-browser"]')
    await page.waitForSelector('[data-provider="github-copilot"] .badge:text-is("1 connected")')
    // Polling stopped: no further token polls after the approval.
    const polls = fake.callsTo('/login/oauth/access_token').length
    await Bun.sleep(1500)
    expect(fake.callsTo('/login/oauth/access_token').length).toBe(polls)
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.screenshot({ path: '/tmp/modelmux-oauth.png' })
    expect(problems).toEqual([])
  })
})
