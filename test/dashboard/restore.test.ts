import { Database } from 'bun:sqlite'
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encryptSecret } from '../../src/services/crypto'
import { migrations } from '../../src/store/migrate'
import { startTestServer, type TestServer } from '../helpers/test-server'
import { client, signIn } from './helpers'

const vllm = { name: 'local-vllm', provider: 'openai-compatible', prefix: 'vllm', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-upstream-secret', models: ['qwen'] }
const config = { connections: [vllm], combos: [{ name: 'stack', models: ['vllm/qwen'] }], aliases: { fast: 'stack' }, apiKeys: [{ name: 'laptop', key: 'sk-mm-0123456789abcdef0123' }] }

/** Rewrites a SQLite file's bytes through a temporary file and a callback. */
function editDatabase(bytes: Uint8Array, edit: (db: Database) => void): Uint8Array {
  const directory = mkdtempSync(join(tmpdir(), 'modelmux-restore-edit-'))
  try {
    const path = join(directory, 'edit.db')
    writeFileSync(path, bytes)
    const db = new Database(path)
    edit(db)
    db.close()
    return new Uint8Array(readFileSync(path))
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

/** What a restore must put back (and a refusal must leave alone). */
function snapshot(modelmux: TestServer) {
  const { registry } = modelmux.server.context
  return {
    connections: registry.connections.map(({ connection }) => [connection.name, connection.apiKey, connection.options]),
    combos: [...registry.combos.keys()],
    aliases: [...registry.aliases],
    connectMs: registry.timeouts.connectMs,
    keys: modelmux.server.context.db.query('SELECT name FROM api_keys ORDER BY name').all(),
  }
}

const upload = (modelmux: TestServer, cookie: string, bytes: Uint8Array | string) =>
  fetch(`${modelmux.url}/api/settings/database`, { method: 'POST', headers: { cookie, origin: modelmux.url, 'content-type': 'application/vnd.sqlite3' }, body: bytes as BodyInit })

describe('database restore', () => {
  test('backup → change things → restore brings the configuration back (API and page), keeping a copy of the replaced database', async () => {
    await using modelmux = await startTestServer(config)
    const cookie = await signIn(modelmux.url)
    const api = client(modelmux.url, cookie)
    const backup = new Uint8Array(await (await api.json('GET', '/api/settings/database')).arrayBuffer())
    const before = snapshot(modelmux)

    const changeThings = async () => {
      expect((await api.json('DELETE', '/api/aliases/fast')).status).toBe(200)
      expect((await api.json('POST', '/api/providers', { name: 'groq-1', provider: 'groq', apiKey: 'gsk-1' })).status).toBe(200)
      expect((await api.json('PATCH', '/api/settings', { timeouts: { connectMs: 2500 } })).status).toBe(200)
      expect((await api.json('POST', '/api/keys', { name: 'phone' })).status).toBe(200)
      expect(snapshot(modelmux)).not.toEqual(before)
    }

    await changeThings()
    const restored = await upload(modelmux, cookie, backup)
    expect(restored.status).toBe(200)
    const body = await restored.json()
    expect(body).toMatchObject({ ok: true, restored: { connections: 1, combos: 1, aliases: 1, api_keys: 1 } })
    expect(snapshot(modelmux)).toEqual(before)
    expect(readdirSync(join(modelmux.dataDir, 'data')).some((name) => /^modelmux-before-restore-\d{8}T\d{6}\.db$/.test(name))).toBe(true)
    // The password was kept, so the session still works and so does a new sign-in.
    expect((await api.json('GET', '/api/combos')).status).toBe(200)
    await signIn(modelmux.url)

    // The Settings page: it asks to confirm (htmx and a required box), then restores through a multipart upload.
    const page = await (await api.page('/dashboard/settings')).text()
    expect(page).toContain('hx-confirm="Replace the current configuration')
    expect(page).toContain('enctype="multipart/form-data"')
    await changeThings()
    const form = (confirm: boolean) => {
      const data = new FormData()
      data.append('file', new Blob([backup]), 'modelmux.db')
      if (confirm) data.append('confirm', 'yes')
      return fetch(`${modelmux.url}/dashboard/settings/restore`, { method: 'POST', headers: { cookie, 'hx-request': 'true' }, body: data })
    }
    expect(await (await form(false)).text()).toContain('Tick the confirmation box')
    expect(snapshot(modelmux)).not.toEqual(before)
    const done = await (await form(true)).text()
    expect(done).toContain('Restored')
    expect(snapshot(modelmux)).toEqual(before)
  })

  test('a corrupt file, a non-SQLite file, a newer schema and another install’s secrets are refused and change nothing', async () => {
    await using modelmux = await startTestServer(config)
    const cookie = await signIn(modelmux.url)
    const api = client(modelmux.url, cookie)
    const backup = new Uint8Array(await (await api.json('GET', '/api/settings/database')).arrayBuffer())
    expect((await api.json('POST', '/api/aliases', { name: 'later', target: 'vllm/qwen' })).status).toBe(200)
    const before = snapshot(modelmux)
    const files = () => readdirSync(join(modelmux.dataDir, 'data')).sort()
    const filesBefore = files()

    const corrupt = backup.slice()
    for (let i = 4096; i < corrupt.length; i++) corrupt[i] = (i * 7919) & 0xff
    const truncated = backup.slice(0, 4096 + 100)
    const newer = editDatabase(backup, (db) => db.exec(`PRAGMA user_version = ${migrations.length + 1}`))
    const notOurs = editDatabase(backup, (db) => db.exec('DROP TABLE combos'))
    await using other = await startTestServer(config)
    const foreign = new Uint8Array(await (await client(other.url, await signIn(other.url)).json('GET', '/api/settings/database')).arrayBuffer())

    const cases: [Uint8Array | string, RegExp][] = [
      ['this is not a database at all, just some text that is long enough to look like a file header. '.repeat(3), /not a SQLite database/],
      [corrupt, /damaged/],
      [truncated, /damaged/],
      [newer, /newer modelmux/],
      [notOurs, /not a modelmux database \(missing combos\)/],
      [foreign, /another install's key/],
    ]
    for (const [bytes, message] of cases) {
      const response = await upload(modelmux, cookie, bytes)
      expect(response.status).toBe(400)
      expect((await response.json()).error).toMatch(message)
      expect(snapshot(modelmux)).toEqual(before)
      expect(files()).toEqual(filesBefore)
    }
    expect((await upload(modelmux, cookie, '')).status).toBe(400)

    // The page shows the refusal inline, escaped.
    const data = new FormData()
    data.append('file', new Blob([corrupt]), 'bad.db')
    data.append('confirm', 'yes')
    const html = await (await fetch(`${modelmux.url}/dashboard/settings/restore`, { method: 'POST', headers: { cookie, 'hx-request': 'true' }, body: data })).text()
    expect(html).toContain('Not restored: the file is damaged')
    expect(html).toContain('Nothing was changed.')
    expect(snapshot(modelmux)).toEqual(before)
  })

  test('an older backup is migrated before its rows are copied; cross-site uploads are refused', async () => {
    await using modelmux = await startTestServer(config)
    const cookie = await signIn(modelmux.url)
    const key = modelmux.server.context.encryptionKey
    const old = editDatabase(new Uint8Array(0), (db) => {
      db.exec(migrations[0])
      db.exec('PRAGMA user_version = 1')
      db.query("INSERT INTO connections (name, provider, prefix, base_url, secret_enc, models, created_at, updated_at) VALUES ('old-node', 'openai-compatible', 'old', 'http://127.0.0.1:9/v1', ?, '[\"m\"]', 1, 1)").run(encryptSecret(key, 'sk-old'))
      db.exec(`INSERT INTO settings (key, value) VALUES ('settings', '{"timeouts":{"connectMs":4000}}')`)
    })
    const forged = await fetch(`${modelmux.url}/api/settings/database`, { method: 'POST', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/octet-stream' }, body: old as BodyInit })
    expect(forged.status).toBe(403)
    expect(snapshot(modelmux).connections.map(([name]) => name)).toEqual(['local-vllm'])
    const response = await upload(modelmux, cookie, old)
    expect(response.status).toBe(200)
    const after = snapshot(modelmux)
    expect(after.connections).toEqual([['old-node', 'sk-old', {}]])
    expect([after.combos, after.aliases, after.connectMs]).toEqual([[], [], 4000])
    expect((modelmux.server.context.db.query('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(migrations.length)
  })
})
