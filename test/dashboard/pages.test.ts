import { describe, expect, test } from 'bun:test'
import { startTestServer } from '../helpers/test-server'
import { client, signIn } from './helpers'

const evil = '<img src=x onerror=alert(1)>'
const pages = ['/dashboard', '/dashboard/providers', '/dashboard/combos', '/dashboard/playground', '/dashboard/usage', '/dashboard/quota', '/dashboard/logs', '/dashboard/cli-tools', '/dashboard/settings']

describe('dashboard pages', () => {
  test('every page is a full document on a normal load and a fragment with the nav for htmx', async () => {
    await using modelmux = await startTestServer()
    const pagesClient = client(modelmux.url, await signIn(modelmux.url))
    for (const path of pages) {
      const full = await pagesClient.page(path)
      expect(full.status).toBe(200)
      expect(full.headers.get('content-type')).toBe('text/html; charset=utf-8')
      const document = await full.text()
      expect(document).toStartWith('<!doctype html>')
      expect(document).toContain('<nav id="nav"')
      const partial = await (await pagesClient.page(path, true)).text()
      expect(partial).not.toContain('<html')
      expect(partial).toContain('hx-swap-oob="true"')
      expect(partial).toContain('aria-current="page"')
    }
    // The Endpoint page's snippets name this server for each tool.
    const endpoint = await (await pagesClient.page('/dashboard')).text()
    for (const line of [`export GOOGLE_GEMINI_BASE_URL=${modelmux.url}`, `aider --openai-api-base ${modelmux.url}/v1`, `export ANTHROPIC_BASE_URL=${modelmux.url}`, `base_url = &quot;${modelmux.url}/v1&quot;`]) expect(endpoint).toContain(line)
  })

  test('a built-in connection without a prefix of its own is shown, offered and listed under the same prefix', async () => {
    await using modelmux = await startTestServer({ connections: [{ name: 'work', provider: 'openai', apiKey: 'sk-x' }] })
    const pagesClient = client(modelmux.url, await signIn(modelmux.url))
    const listed = ((await (await fetch(`${modelmux.url}/v1/models`)).json()) as { data: { id: string }[] }).data.map((model) => model.id)
    expect(listed).toContain('openai/gpt-4.1')
    expect(await (await pagesClient.page('/dashboard/providers')).text()).toContain('prefix <code>openai</code>')
    expect(await (await pagesClient.page('/dashboard')).text()).toContain('<code>openai/…</code>')
    const choices = await (await pagesClient.page('/dashboard/combos')).text()
    expect(choices).toContain('<option value="openai/gpt-4.1">')
    expect(choices).not.toContain('"oai/')
  })

  test('signed-out visitors are sent to the login page (a redirect header for htmx)', async () => {
    await using modelmux = await startTestServer()
    for (const path of pages) {
      const plain = await fetch(modelmux.url + path, { redirect: 'manual' })
      expect([plain.status, plain.headers.get('location')]).toEqual([303, '/login'])
      const htmx = await fetch(modelmux.url + path, { headers: { 'hx-request': 'true' } })
      expect([htmx.status, htmx.headers.get('hx-redirect')]).toEqual([200, '/login'])
    }
    expect((await fetch(`${modelmux.url}/dashboard/keys`, { method: 'POST', headers: { 'hx-request': 'true' } })).headers.get('hx-redirect')).toBe('/login')
  })

  test('names chosen by users are escaped on every page', async () => {
    await using modelmux = await startTestServer({
      connections: [{ name: evil, provider: 'openai-compatible', prefix: 'v', baseUrl: 'http://127.0.0.1:9/v1', models: [evil] }],
      combos: [{ name: `c${evil}`, models: [`v/${evil}`] }],
      aliases: { [`a${evil}`]: evil },
      apiKeys: [{ name: evil, key: 'sk-mm-0123456789abcdef0123' }],
      settings: { routing: { modelMapping: [{ match: evil, target: evil }] } },
    })
    const pagesClient = client(modelmux.url, await signIn(modelmux.url))
    for (const path of pages) {
      // Inside a quoted attribute `<` is inert; outside one it would start a tag.
      const text = (await (await pagesClient.page(path)).text()).replace(/="[^"]*"/g, '=""')
      expect(text.includes('<img')).toBe(false)
    }
    const created = await (await pagesClient.post('/dashboard/keys', { name: `k${evil}` })).text()
    expect(created).toContain('k&lt;img')
    expect(created.replace(/="[^"]*"/g, '=""').includes('<img')).toBe(false)
  })

  test('fragments: keys, require-key switch, connections, combos, aliases, mapping, settings', async () => {
    await using modelmux = await startTestServer({ connections: [{ name: 'v', provider: 'openai-compatible', prefix: 'v', baseUrl: 'http://127.0.0.1:9/v1', models: ['a', 'b'] }] })
    const context = modelmux.server.context
    const pagesClient = client(modelmux.url, await signIn(modelmux.url))
    expect(await (await pagesClient.post('/dashboard/keys', { name: '' })).text()).toContain('name is required')
    const created = await (await pagesClient.post('/dashboard/keys', { name: 'ci' })).text()
    const key = /data-testid="new-key">([^<]+)</.exec(created)?.[1]
    expect(key).toMatch(/^sk-mm-/)
    expect(await (await pagesClient.page('/dashboard')).text()).not.toContain(key!)
    await pagesClient.post('/dashboard/require-key/on')
    expect(context.registry.settings.requireApiKey).toBe(true)
    expect((await fetch(`${modelmux.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200)
    const id = context.registry.connections[0].connection.id
    context.health.failed(id, 'a', { class: 'rate-limit', perModel: false, reason: 'usage_limit_reached', resetAt: context.now() + 90_000 })
    const cooling = await (await pagesClient.page('/dashboard/providers')).text()
    expect(cooling).toMatch(/Cooling down until .+ UTC \(in \d+ (s|min)\) because usage_limit_reached\./)
    expect(cooling).toContain('Clear cooldown')
    await pagesClient.post(`/dashboard/providers/connections/${id}/clear`)
    expect(context.health.state(id).state).toBe('healthy')
    const combo = await (await pagesClient.post('/dashboard/combos', { name: 'pair', models: ['v/b', 'v/a'] })).text()
    expect(combo).toContain('v/b → v/a')
    expect(await (await pagesClient.post('/dashboard/combos', { name: 'spread', models: ['v/a', 'v/b'], strategy: 'sideways' })).text()).toContain('field-error')
    expect(context.registry.combos.has('spread')).toBe(false)
    const spread = await (await pagesClient.post('/dashboard/combos', { name: 'spread', models: ['v/a', 'v/b'], strategy: 'round-robin' })).text()
    expect(spread).toContain('round-robin: each new conversation starts at the next model')
    expect(context.registry.combos.get('spread')?.strategy).toBe('round-robin')
    const spreadId = context.registry.combos.get('spread')!.id
    expect(await (await pagesClient.page(`/dashboard/combos/${spreadId}/edit`, true)).text()).toContain('<option value="round-robin" selected')
    await pagesClient.post(`/dashboard/combos/${spreadId}`, { name: 'spread', models: ['v/a', 'v/b'], strategy: 'order' })
    expect(context.registry.combos.get('spread')?.strategy).toBe('order')
    expect(await (await pagesClient.post('/dashboard/aliases', { name: 'pair', target: 'v/a' })).text()).toContain('&quot;pair&quot; is already a combo')
    await pagesClient.post('/dashboard/mapping', { match: 'claude-*', target: 'pair' })
    await pagesClient.post('/dashboard/mapping', { match: 'gpt-*', target: 'pair' })
    await pagesClient.post('/dashboard/mapping/1/up')
    expect(context.registry.settings.routing?.modelMapping?.map((rule) => rule.match)).toEqual(['gpt-*', 'claude-*'])
    // An unknown action changes nothing (it used to delete the rule).
    expect((await pagesClient.post('/dashboard/mapping/0/frobnicate')).status).toBe(404)
    expect(context.registry.settings.routing?.modelMapping).toHaveLength(2)
    const refused = await (await pagesClient.post('/dashboard/scenarios', { when: 'images', model: '', minTokens: '5000' })).text()
    expect(refused).toContain('target is required')
    expect(refused).toContain('only for long-context rules')
    expect(context.registry.settings.routing?.scenarios).toBeUndefined()
    await pagesClient.post('/dashboard/scenarios', { when: 'images', model: 'v/vision', match: 'claude-*' })
    const added = await (await pagesClient.post('/dashboard/scenarios', { when: 'long-context', model: 'pair', minTokens: '100000' })).text()
    expect(added).toContain('has a long prompt (100,000+ tokens)')
    await pagesClient.post('/dashboard/scenarios/1/up')
    expect(context.registry.settings.routing?.scenarios).toEqual([{ when: 'long-context', model: 'pair', minTokens: 100000 }, { when: 'images', model: 'v/vision', match: 'claude-*' }])
    await pagesClient.post('/dashboard/scenarios/0/delete')
    expect(context.registry.settings.routing?.scenarios?.map((rule) => rule.when)).toEqual(['images'])
    const timeouts = await (await pagesClient.post('/dashboard/settings/timeouts', { connectMs: '0.01', firstByteMs: '60', idleMs: '30', totalMs: '300', maxBodyMb: '8' })).text()
    expect(timeouts).toContain('a number of seconds from 0.1 to 600')
    await pagesClient.post('/dashboard/settings/timeouts', { connectMs: '5', firstByteMs: '60', idleMs: '30', totalMs: '300', maxBodyMb: '8' })
    expect(context.registry.timeouts).toEqual({ connectMs: 5000, firstByteMs: 60000, idleMs: 30000, totalMs: 300000 })
    expect(context.registry.maxBodyBytes).toBe(8 * 1024 * 1024)
  })

  test('the keys table shows each key\'s limits, its own over the `*` entry', async () => {
    await using modelmux = await startTestServer({
      apiKeys: [{ name: 'laptop', key: 'sk-mm-laptop-key-0123456789' }, { name: 'intern', key: 'sk-mm-intern-key-0123456789' }],
      settings: { keyLimits: { '*': { requestsPerMinute: 60 }, intern: { tokensPerDay: 2_000_000, models: ['oa/*', 'fast'] } } },
    })
    const html = await (await client(modelmux.url, await signIn(modelmux.url)).page('/dashboard')).text()
    const row = (name: string) => new RegExp(`<td>${name}</td>[\\s\\S]*?</tr>`).exec(html)?.[0] ?? ''
    expect(row('laptop')).toContain('60 requests/min')
    expect(row('laptop')).not.toContain('tokens/day')
    expect(row('intern')).toContain('60 requests/min · 2,000,000 tokens/day · models oa/*, fast')
  })

  test('a key\'s limits are edited in its row: saved limits bind at once, bad ones are refused inline and change nothing', async () => {
    await using modelmux = await startTestServer({
      connections: [{ name: 'v', provider: 'openai-compatible', prefix: 'v', baseUrl: 'http://127.0.0.1:9/v1', models: ['a'] }],
      apiKeys: [{ name: 'intern', key: 'sk-mm-intern-key-0123456789' }],
      settings: { keyLimits: { '*': { requestsPerMinute: 60 } } },
    })
    const context = modelmux.server.context
    const pagesClient = client(modelmux.url, await signIn(modelmux.url))
    const id = (await (await pagesClient.json('GET', '/api/keys')).json()).keys.find((key: { name: string }) => key.name === 'intern').id
    const saved = await (await pagesClient.post(`/dashboard/keys/${id}/limits`, { requestsPerMinute: '', tokensPerDay: '5000', dollarsPerDay: '$2.5', dollarsPerMonth: '50', models: 'v/*,\n fast' })).text()
    expect(saved).toContain('Limits of &quot;intern&quot; saved.')
    expect(saved).toContain('60 requests/min · 5,000 tokens/day · $2.5/day · $50/month · models v/*, fast')
    expect(context.registry.settings.keyLimits).toEqual({ '*': { requestsPerMinute: 60 }, intern: { tokensPerDay: 5000, dollarsPerDay: 2.5, dollarsPerMonth: 50, models: ['v/*', 'fast'] } })
    const refusedSpend = await (await pagesClient.post(`/dashboard/keys/${id}/limits`, { tokensPerDay: '5000', dollarsPerDay: 'a lot', models: 'v/*, fast' })).text()
    expect(refusedSpend).toMatch(new RegExp(`id="key-${id}-dollars-error"[^>]*>a number of dollars above 0`))
    await pagesClient.post(`/dashboard/keys/${id}/limits`, { tokensPerDay: '5000', models: 'v/*,\n fast' })
    const refusedModel = await fetch(`${modelmux.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-mm-intern-key-0123456789' },
      body: JSON.stringify({ model: 'other/x', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(refusedModel.status).toBe(403)
    for (const [fields, field, message] of [
      [{ requestsPerMinute: '0' }, 'requestsPerMinute', 'at least 1'],
      [{ tokensPerDay: 'lots' }, 'tokensPerDay', 'must be a whole number'],
      [{ requestsPerMinute: '2.5' }, 'requestsPerMinute', 'must be a whole number'],
    ] as const) {
      const html = await (await pagesClient.post(`/dashboard/keys/${id}/limits`, fields)).text()
      expect(html).toMatch(new RegExp(`id="key-${id}-${field === 'requestsPerMinute' ? 'rpm' : 'tokens'}-error"[^>]*>${message}`))
      expect(html).toContain('<details open')
    }
    expect(context.registry.settings.keyLimits?.intern).toEqual({ tokensPerDay: 5000, models: ['v/*', 'fast'] })
    // Emptying every field removes the key's own entry; the defaults for every key stay.
    await pagesClient.post(`/dashboard/keys/${id}/limits`, { requestsPerMinute: '', tokensPerDay: '', models: ' ' })
    expect(context.registry.settings.keyLimits).toEqual({ '*': { requestsPerMinute: 60 } })
    // An unknown action changes nothing (it used to count as "disable").
    expect((await pagesClient.post(`/dashboard/keys/${id}/bogus`)).status).toBe(404)
    expect((await (await pagesClient.json('GET', '/api/keys')).json()).keys.find((key: { id: number }) => key.id === id).enabled).toBe(true)
    // Deleting a key takes its own limits with it: a new key of that name starts from the defaults.
    await pagesClient.post(`/dashboard/keys/${id}/limits`, { tokensPerDay: '5000' })
    await pagesClient.post(`/dashboard/keys/${id}/delete`)
    expect(context.registry.settings.keyLimits).toEqual({ '*': { requestsPerMinute: 60 } })
    const created = await (await pagesClient.json('POST', '/api/keys', { name: 'intern' })).json()
    await pagesClient.post(`/dashboard/keys/${created.id}/limits`, { models: 'v/*' })
    expect((await pagesClient.json('DELETE', `/api/keys/${created.id}`)).status).toBe(200)
    expect(context.registry.settings.keyLimits).toEqual({ '*': { requestsPerMinute: 60 } })
    expect((await pagesClient.json('DELETE', `/api/keys/${created.id}`)).status).toBe(404)
  })

  test('changing the password keeps this browser signed in and signs the others out', async () => {
    await using modelmux = await startTestServer()
    const first = await signIn(modelmux.url)
    const second = await signIn(modelmux.url)
    const response = await client(modelmux.url, first).post('/dashboard/settings/password', { current: 'test-password-1', next: 'another-password', confirm: 'another-password' })
    expect(await response.text()).toContain('Password changed')
    const renewed = (response.headers.get('set-cookie') ?? '').split(';')[0]
    expect((await client(modelmux.url, renewed).page('/dashboard')).status).toBe(200)
    expect((await client(modelmux.url, second).page('/dashboard')).status).toBe(303)
  })
})
