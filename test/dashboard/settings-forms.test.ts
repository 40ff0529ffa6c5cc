import { describe, expect, test } from 'bun:test'
import { isRequestLoggingEnabled } from '../../src/services/request-log'
import { pricingSnapshot } from '../../src/services/pricing'
import { readSettings } from '../../src/services/management'
import { startTestServer } from '../helpers/test-server'
import { client, signIn } from './helpers'

const vllm = { name: 'local-vllm', provider: 'openai-compatible', prefix: 'vllm', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'x', models: ['qwen'] }
const groq = { name: 'groq-1', provider: 'groq', apiKey: 'gsk-1' }

describe('settings without a UI before', () => {
  test('request logging: switch and body cap in KB, validated inline; the JSON API writes the same setting', async () => {
    await using modelmux = await startTestServer({ connections: [vllm] })
    const context = modelmux.server.context
    const pages = client(modelmux.url, await signIn(modelmux.url))
    const page = await (await pages.page('/dashboard/settings')).text()
    expect(page).toContain('id="request-logs"')
    expect(page).toContain('value="256"')
    const bad = await (await pages.post('/dashboard/settings/request-logs', { enabled: 'on', maxBodyKb: '0' })).text()
    expect(bad).toContain('a whole number of KB from 1 to 65536')
    expect(isRequestLoggingEnabled(context)).toBe(false)
    expect(await (await pages.post('/dashboard/settings/request-logs', { maxBodyKb: 'lots' })).text()).toContain('a whole number of KB')
    const saved = await (await pages.post('/dashboard/settings/request-logs', { enabled: 'on', maxBodyKb: '64' })).text()
    expect(saved).toContain('Saved.')
    expect(readSettings(context).requestLogs).toEqual({ enabled: true, maxBodyBytes: 64 * 1024 })
    expect(isRequestLoggingEnabled(context)).toBe(true)
    expect(await (await pages.post('/dashboard/settings/request-logs', { maxBodyKb: '64' })).text()).not.toContain('checked')
    expect(isRequestLoggingEnabled(context)).toBe(false)
    expect((await pages.json('PATCH', '/api/settings', { requestLogs: { enabled: true, maxBodyBytes: 10 } })).status).toBe(400)
    expect((await pages.json('PATCH', '/api/settings', { requestLogs: { enabled: true, maxBodyBytes: 4096 } })).status).toBe(200)
    expect(context.registry.settings.requestLogs).toEqual({ enabled: true, maxBodyBytes: 4096 })
  })

  test('token saver: switch and line limit (blank: never cut), validated inline, binding at once', async () => {
    await using modelmux = await startTestServer({ connections: [vllm] })
    const context = modelmux.server.context
    const pages = client(modelmux.url, await signIn(modelmux.url))
    expect(await (await pages.page('/dashboard/settings')).text()).toContain('id="token-saver"')
    const bad = await (await pages.post('/dashboard/settings/token-saver', { enabled: 'on', maxLines: '5' })).text()
    expect(bad).toContain('at least 20')
    expect(await (await pages.post('/dashboard/settings/token-saver', { enabled: 'on', maxLines: '2.5' })).text()).toContain('field-error')
    expect(context.registry.settings.tokenSaver).toBeUndefined()
    expect(await (await pages.post('/dashboard/settings/token-saver', { enabled: 'on', maxLines: '400' })).text()).toContain('Saved.')
    expect(context.registry.settings.tokenSaver).toEqual({ enabled: true, maxLines: 400 })
    await pages.post('/dashboard/settings/token-saver', { enabled: 'on', maxLines: '' })
    expect(context.registry.settings.tokenSaver).toEqual({ enabled: true })
    await pages.post('/dashboard/settings/token-saver', {})
    expect(context.registry.settings.tokenSaver).toEqual({ enabled: false })
  })

  test('carrying broken answers on: on by default, switched off and on from the routing form, which keeps the pools', async () => {
    await using modelmux = await startTestServer({ connections: [vllm] })
    const context = modelmux.server.context
    const pages = client(modelmux.url, await signIn(modelmux.url))
    expect(await (await pages.page('/dashboard/settings')).text()).toMatch(/name="carryOn" value="on" checked/)
    const off = await (await pages.post('/dashboard/settings/routing', { 'strategy.openai-compatible': 'round-robin' })).text()
    expect(off).toContain('Saved.')
    expect(off).not.toMatch(/name="carryOn" value="on" checked/)
    expect(context.registry.settings.routing).toMatchObject({ carryOn: false, providers: { 'openai-compatible': { strategy: 'round-robin' } } })
    await pages.post('/dashboard/settings/routing', { 'strategy.openai-compatible': 'round-robin', carryOn: 'on' })
    expect(context.registry.settings.routing?.carryOn).toBeUndefined()
    expect((await pages.json('PATCH', '/api/settings', { routing: { carryOn: 'no' } })).status).toBe(400)
  })

  test('web app origins: one per line, written the way browsers send them; a path is refused and changes nothing', async () => {
    await using modelmux = await startTestServer({ connections: [vllm] })
    const context = modelmux.server.context
    const pages = client(modelmux.url, await signIn(modelmux.url))
    expect(await (await pages.page('/dashboard/settings')).text()).toContain('id="cors"')
    const refused = await (await pages.post('/dashboard/settings/cors', { origins: 'https://chat.example.com/app' })).text()
    expect(refused).toContain('an origin such as https://chat.example.com')
    expect(refused).toContain('https://chat.example.com/app')
    expect(context.registry.settings.corsOrigins).toBeUndefined()
    expect(await (await pages.post('/dashboard/settings/cors', { origins: 'https://Chat.Example.com/\nhttp://10.0.0.5:3000  https://chat.example.com' })).text()).toContain('Saved.')
    expect(context.registry.settings.corsOrigins).toEqual(['https://chat.example.com', 'http://10.0.0.5:3000'])
    const preflight = await fetch(`${modelmux.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: 'http://10.0.0.5:3000', 'access-control-request-method': 'POST' } })
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://10.0.0.5:3000')
    await pages.post('/dashboard/settings/cors', { origins: ' ' })
    expect(context.registry.settings.corsOrigins).toBeUndefined()
  })

  test('notification webhook: validated, shown only by its origin, tested with a real message, removable', async () => {
    const received: unknown[] = []
    const hook = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: async (request) => (received.push(await request.json()), new Response('ok')) })
    try {
      await using modelmux = await startTestServer({ connections: [vllm] })
      const context = modelmux.server.context
      const pages = client(modelmux.url, await signIn(modelmux.url))
      expect(await (await pages.page('/dashboard/settings')).text()).toContain('No webhook set.')
      expect(await (await pages.post('/dashboard/settings/notifications', { webhookUrl: 'ftp://x' })).text()).toContain('must be an http(s) URL')
      expect(context.registry.settings.notifications).toBeUndefined()
      const secret = `http://127.0.0.1:${hook.port}/services/T000/B000/secret-token`
      const saved = await (await pages.post('/dashboard/settings/notifications', { webhookUrl: secret })).text()
      expect(saved).toContain(`Sending to http://127.0.0.1:${hook.port}/…`)
      expect(saved).not.toContain('secret-token')
      expect(context.registry.settings.notifications).toEqual({ webhookUrl: secret })
      expect(await (await pages.post('/dashboard/settings/notifications/test')).text()).toContain('Sent; the webhook answered 200.')
      expect(received).toEqual([expect.objectContaining({ event: 'test', text: expect.stringContaining('this is a test message') })])
      // A blank field changes nothing; the Remove button removes it.
      expect(await (await pages.post('/dashboard/settings/notifications', { webhookUrl: '' })).text()).toContain('Type the webhook URL to save.')
      expect(context.registry.settings.notifications).toEqual({ webhookUrl: secret })
      expect(await (await pages.post('/dashboard/settings/notifications/remove')).text()).toContain('Removed: no more notifications.')
      expect(context.registry.settings.notifications).toBeUndefined()
    } finally {
      hook.stop(true)
    }
  })

  test('the environment switch for request logging is shown as winning', async () => {
    await using modelmux = await startTestServer({}, { ENABLE_REQUEST_LOGS: 'true' })
    const pages = client(modelmux.url, await signIn(modelmux.url))
    expect(await (await pages.page('/dashboard/settings')).text()).toContain('ENABLE_REQUEST_LOGS=true is set in the environment')
  })

  test('retention: days for usage events and request logs, validated', async () => {
    await using modelmux = await startTestServer()
    const context = modelmux.server.context
    const pages = client(modelmux.url, await signIn(modelmux.url))
    const page = await (await pages.page('/dashboard/settings')).text()
    expect(page).toContain('id="retention-usage"')
    for (const value of ['0', '1.5', 'x', '40000']) {
      const html = await (await pages.post('/dashboard/settings/retention', { usageDays: value, requestLogDays: '7' })).text()
      expect(html).toContain('a whole number of days from 1 to 36500')
    }
    expect(readSettings(context).retention).toBeUndefined()
    expect(await (await pages.post('/dashboard/settings/retention', { usageDays: '30', requestLogDays: '3' })).text()).toContain('Saved.')
    expect(context.registry.settings.retention).toEqual({ usageDays: 30, requestLogDays: 3 })
    expect((await pages.json('PATCH', '/api/settings', { retention: { usageDays: 0 } })).status).toBe(400)
  })

  test('tiers per connection: default, subscription, free or paid; pricing sees the change at once', async () => {
    await using modelmux = await startTestServer({ connections: [vllm, groq] })
    const context = modelmux.server.context
    const pages = client(modelmux.url, await signIn(modelmux.url))
    const page = await (await pages.page('/dashboard/settings')).text()
    expect(page).toContain('name="tier.local-vllm"')
    expect(page).toContain('default (paid)')
    const id = context.registry.connections.find(({ connection }) => connection.name === 'groq-1')!.connection.id
    expect(pricingSnapshot(context.db, context.now()).tiers.get(id)).toBe('paid')
    const saved = await (await pages.post('/dashboard/settings/tiers', { 'tier.local-vllm': 'free', 'tier.groq-1': 'subscription' })).text()
    expect(saved).toContain('Saved.')
    expect(readSettings(context).tiers).toEqual({ 'local-vllm': 'free', 'groq-1': 'subscription' })
    expect(pricingSnapshot(context.db, context.now()).tiers.get(id)).toBe('subscription')
    await pages.post('/dashboard/settings/tiers', { 'tier.local-vllm': 'default', 'tier.groq-1': 'subscription' })
    expect(readSettings(context).tiers).toEqual({ 'groq-1': 'subscription' })
    const bad = await (await pages.post('/dashboard/settings/tiers', { 'tier.groq-1': 'premium' })).text()
    expect(bad).toContain('field-error')
    expect(readSettings(context).tiers).toEqual({ 'groq-1': 'subscription' })
    expect((await pages.json('PATCH', '/api/settings', { tiers: { 'groq-1': 'premium' } })).status).toBe(400)
  })

  test('outbound proxy per connection: validated on the form and the API, kept, replaced or cleared', async () => {
    await using modelmux = await startTestServer({ connections: [vllm] })
    const context = modelmux.server.context
    const pages = client(modelmux.url, await signIn(modelmux.url))
    const options = (name: string) => context.registry.connections.find(({ connection }) => connection.name === name)?.connection.options
    const form = { provider: 'groq', name: 'groq-p', apiKey: 'gsk-1' }
    expect(await (await pages.page('/dashboard/providers/new?provider=groq')).text()).toContain('name="proxy"')
    const bad = await (await pages.post('/dashboard/providers/connections', { ...form, proxy: 'socks5://x' })).text()
    expect(bad).toContain('must be an http(s) proxy URL or &quot;direct&quot;')
    expect(options('groq-p')).toBeUndefined()
    await pages.post('/dashboard/providers/connections', { ...form, proxy: 'http://proxy.local:3128', proxyKnown: '1' })
    expect(options('groq-p')).toEqual({ proxy: 'http://proxy.local:3128' })
    const id = context.registry.connections.find(({ connection }) => connection.name === 'groq-p')!.connection.id
    // An edit form that does not know the stored proxy keeps it when the field is left empty…
    await pages.post(`/dashboard/providers/connections/${id}`, { provider: 'groq', name: 'groq-p', proxy: '' })
    expect(options('groq-p')).toEqual({ proxy: 'http://proxy.local:3128' })
    await pages.post(`/dashboard/providers/connections/${id}`, { provider: 'groq', name: 'groq-p', proxy: 'direct' })
    expect(options('groq-p')).toEqual({ proxy: 'direct' })
    // …and one that shows it clears it.
    await pages.post(`/dashboard/providers/connections/${id}`, { provider: 'groq', name: 'groq-p', proxy: '', proxyKnown: '1' })
    expect(options('groq-p')).toEqual({})
    // The JSON API: same schema, other options are merged, null removes.
    const azure = await pages.json('POST', '/api/providers', { name: 'az', provider: 'azure', apiKey: 'k', baseUrl: 'https://x.openai.azure.com', options: { deployment: 'gpt', proxy: 'ftp://x' } })
    expect((await azure.json()).errors).toEqual({ 'options.proxy': 'must be an http(s) proxy URL or "direct"' })
    const created = await (await pages.json('POST', '/api/providers', { name: 'az', provider: 'azure', apiKey: 'k', baseUrl: 'https://x.openai.azure.com', options: { deployment: 'gpt' } })).json()
    expect((await pages.json('PUT', `/api/providers/${created.id}`, { name: 'az', provider: 'azure', baseUrl: 'https://x.openai.azure.com', options: { proxy: 'https://p.example:8443' } })).status).toBe(200)
    expect(options('az')).toEqual({ deployment: 'gpt', proxy: 'https://p.example:8443' })
    await pages.json('PUT', `/api/providers/${created.id}`, { name: 'az', provider: 'azure', baseUrl: 'https://x.openai.azure.com', options: { proxy: null } })
    expect(options('az')).toEqual({ deployment: 'gpt' })
  })
})
