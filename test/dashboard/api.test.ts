import { Database } from 'bun:sqlite'
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestServer } from '../helpers/test-server'
import { client, signIn } from './helpers'

const vllm = { name: 'local-vllm', provider: 'openai-compatible', prefix: 'vllm', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-upstream-secret', models: ['qwen'] }

describe('management API', () => {
  test('connections: create with field errors, update, reorder, disable, delete', async () => {
    await using modelmux = await startTestServer({ connections: [vllm] })
    const api = client(modelmux.url, await signIn(modelmux.url))
    const bad = await api.json('POST', '/api/providers', { name: '', provider: 'openai-compatible', prefix: 'no spaces', baseUrl: 'ftp://x' })
    expect(bad.status).toBe(400)
    expect((await bad.json()).errors).toEqual({ name: 'name is required', prefix: 'letters, digits, ".", "_" or "-" only', baseUrl: 'must be an http(s) URL' })
    expect((await (await api.json('POST', '/api/providers', { name: 'g', provider: 'groq' })).json()).errors).toEqual({ apiKey: 'required for Groq' })
    expect((await (await api.json('POST', '/api/providers', { ...vllm, prefix: 'x' })).json()).errors).toEqual({ name: 'a connection named "local-vllm" exists' })
    const created = await (await api.json('POST', '/api/providers', { name: 'groq-1', provider: 'groq', apiKey: 'gsk-1', priority: 5 })).json()
    expect(created.ok).toBe(true)
    expect((await api.json('PUT', `/api/providers/${created.id}`, { name: 'groq-main', provider: 'groq', models: ['llama-3.3-70b-versatile'] })).status).toBe(200)
    expect((await api.json('PATCH', `/api/providers/${created.id}`, { enabled: false, priority: 2 })).status).toBe(200)
    const listed = (await (await api.json('GET', '/api/providers')).json()).connections
    expect(listed.find((c: { id: number }) => c.id === created.id)).toMatchObject({ name: 'groq-main', enabled: false, priority: 2, hasSecret: true, models: ['llama-3.3-70b-versatile'] })
    expect(JSON.stringify(listed)).not.toContain('gsk-1')
    expect(modelmux.server.context.registry.connections.find(({ connection }) => connection.id === created.id)?.connection.apiKey).toBe('gsk-1')
    expect((await api.json('DELETE', `/api/providers/${created.id}`)).status).toBe(200)
    expect((await api.json('DELETE', `/api/providers/${created.id}`)).status).toBe(404)
  })

  test('combos, aliases and settings are validated and reach routing at once', async () => {
    await using modelmux = await startTestServer({ connections: [vllm] })
    const api = client(modelmux.url, await signIn(modelmux.url))
    expect((await (await api.json('POST', '/api/combos', { name: 'stack', models: [] })).json()).errors).toEqual({ models: 'add at least one' })
    expect((await api.json('POST', '/api/combos', { name: 'stack', models: ['vllm/qwen', 'vllm/other'] })).status).toBe(200)
    const [combo] = (await (await api.json('GET', '/api/combos')).json()).combos
    expect((await api.json('PUT', `/api/combos/${combo.id}`, { name: 'stack', models: ['vllm/other', 'vllm/qwen'] })).status).toBe(200)
    expect(modelmux.server.context.registry.combos.get('stack')?.models).toEqual(['vllm/other', 'vllm/qwen'])
    expect((await (await api.json('POST', '/api/aliases', { name: 'stack', target: 'vllm/qwen' })).json()).errors).toEqual({ name: '"stack" is already a combo' })
    expect((await api.json('POST', '/api/aliases', { name: 'fast', target: 'stack' })).status).toBe(200)
    expect(modelmux.server.context.registry.aliases.get('fast')).toBe('stack')
    const badSettings = await api.json('PATCH', '/api/settings', { timeouts: { connectMs: 5 } })
    expect((await badSettings.json()).errors).toEqual({ 'timeouts.connectMs': 'at least 100' })
    expect((await api.json('PATCH', '/api/settings', { requireApiKey: true, timeouts: { connectMs: 2000 } })).status).toBe(200)
    expect(modelmux.server.context.registry.timeouts.connectMs).toBe(2000)
    expect((await fetch(`${modelmux.url}/v1/models`)).status).toBe(401)
    expect((await api.json('DELETE', `/api/combos/${combo.id}`)).status).toBe(200)
    expect((await api.json('DELETE', '/api/aliases/fast')).status).toBe(200)
    expect(modelmux.server.context.registry.combos.size + modelmux.server.context.registry.aliases.size).toBe(0)
  })

  test('a body that is not a JSON object is a 400 that says so, and changes nothing', async () => {
    await using modelmux = await startTestServer({ connections: [vllm] })
    const cookie = await signIn(modelmux.url)
    const api = client(modelmux.url, cookie)
    const id = modelmux.server.context.registry.connections[0].connection.id
    const settingsBefore = await (await api.json('GET', '/api/settings')).json()
    const send = (method: string, path: string, body: string) => fetch(modelmux.url + path, { method, headers: { cookie, 'content-type': 'application/json' }, body })
    for (const body of ['{"enabled": fal', '[{"enabled": false}]', '7', 'null', '']) {
      for (const [method, path] of [['PATCH', `/api/providers/${id}`], ['PATCH', '/api/settings'], ['POST', '/api/providers'], ['PUT', `/api/providers/${id}`], ['POST', '/api/combos'], ['POST', '/api/aliases'], ['POST', '/api/settings/password']]) {
        const response = await send(method, path, body)
        expect([method, path, body, response.status]).toEqual([method, path, body, 400])
        expect((await response.json()).error).toBe('the body must be a JSON object')
      }
    }
    expect(await (await api.json('GET', '/api/settings')).json()).toEqual(settingsBefore)
    expect(modelmux.server.context.registry.connections[0].connection.enabled).toBe(true)
  })

  test('the database backup is a consistent SQLite copy', async () => {
    await using modelmux = await startTestServer({ connections: [vllm] })
    const api = client(modelmux.url, await signIn(modelmux.url))
    const response = await api.json('GET', '/api/settings/database')
    expect(response.headers.get('content-disposition')).toContain('attachment')
    const directory = mkdtempSync(join(tmpdir(), 'modelmux-backup-test-'))
    try {
      const file = join(directory, 'copy.db')
      writeFileSync(file, new Uint8Array(await response.arrayBuffer()))
      const copy = new Database(file, { readonly: true })
      expect(copy.query('SELECT name FROM connections').all()).toEqual([{ name: 'local-vllm' }])
      expect(JSON.stringify(copy.query('SELECT * FROM connections').all())).not.toContain('sk-upstream-secret')
      copy.close()
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })

  test('management routes need the session and refuse cross-site writes', async () => {
    await using modelmux = await startTestServer()
    for (const [method, path] of [['GET', '/api/combos'], ['POST', '/api/providers'], ['PATCH', '/api/settings'], ['GET', '/api/settings/database'], ['GET', '/api/cli-tools']]) {
      expect((await fetch(modelmux.url + path, { method })).status).toBe(401)
    }
    const cookie = await signIn(modelmux.url)
    const forged = await fetch(`${modelmux.url}/api/combos`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain', origin: 'https://evil.example' }, body: '{"name":"x","models":["a/b"]}' })
    expect(forged.status).toBe(403)
    const forgedPage = await fetch(`${modelmux.url}/dashboard/keys`, { method: 'POST', headers: { cookie, origin: 'https://evil.example' }, body: new URLSearchParams({ name: 'x' }) })
    expect(forgedPage.status).toBe(403)
  })
})
