import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfigFile } from '../../src/config/file'
import { applyConfig } from '../../src/services/apply-config'
import { exportConfig } from '../../src/services/config-export'
import { loadRegistry } from '../../src/services/registry'
import { openDatabase } from '../../src/store/db'
import { migrate } from '../../src/store/migrate'
import { listPriceOverrides } from '../../src/store/pricing'
import { client, signIn } from '../dashboard/helpers'
import { startTestServer } from '../helpers/test-server'

const secrets = ['sk-upstream-openai-0123456789', 'sk-mm-laptop-key-0123456789', 'https://hooks.example.com/T0/B0/webhook-secret', 'proxy-password-42']
const config = {
  connections: [
    { name: 'work-openai', provider: 'openai', apiKey: secrets[0], priority: 1, models: ['gpt-5.1'] },
    { name: 'local-vllm', provider: 'openai-compatible', prefix: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', enabled: false, options: { proxy: 'direct' } },
    { name: 'corp', provider: 'anthropic-compatible', prefix: 'corp', baseUrl: 'http://127.0.0.1:9000/v1', apiKey: 'sk-ant-corp-0123456789', options: { proxy: `http://me:${secrets[3]}@proxy.internal:3128` } },
    { name: 'gateway', provider: 'openai-compatible', prefix: 'gw', baseUrl: 'https://gw.example.com/v1?api-key=gateway-secret-99' },
  ],
  combos: [{ name: 'stack', models: ['vllm/qwen', 'work-openai/gpt-5.1'], strategy: 'round-robin' }, { name: 'ordered', models: ['vllm/qwen'] }],
  aliases: { fast: 'stack' },
  apiKeys: [{ name: 'laptop', key: secrets[1] }],
  prices: [{ provider: 'openai-compatible', model: 'qwen', input: 0.2, output: 0.6 }, { provider: '*', model: 'house-model', input: 1, output: 2, cacheRead: 0.1 }],
  settings: { requireApiKey: true, timeouts: { idleMs: 30000 }, notifications: { webhookUrl: secrets[2] }, tokenSaver: { enabled: true }, routing: { scenarios: [{ when: 'images', model: 'fast' }] } },
}

describe('config export', () => {
  test('holds everything but secrets, says which it left out, and re-creates the setup elsewhere; applied to the same store it changes nothing', async () => {
    await using modelmux = await startTestServer(config)
    const pages = client(modelmux.url, await signIn(modelmux.url))
    const download = await pages.page('/dashboard/settings/config.json')
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="modelmux-config.json"')
    const text = await download.text()
    for (const secret of [...secrets, 'sk-ant-corp-0123456789', 'gateway-secret-99']) expect(text).not.toContain(secret)
    const omitted = decodeURIComponent(download.headers.get('x-modelmux-omitted') ?? '')
    expect(omitted).toContain('the key of connection "work-openai"')
    expect(omitted).toContain('the options of connection "corp" (its proxy address holds credentials)')
    expect(omitted).toContain('the notification webhook address')
    expect(omitted).toContain('connection "gateway" (its base URL holds credentials)')
    expect(omitted).toContain('1 client key (laptop)')
    expect(await (await pages.json('GET', '/api/config')).text()).toBe(text)

    // Applied on a new machine: the same routing, no keys.
    const exported = parseConfigFile(text, 'export')
    const db = openDatabase(':memory:')
    migrate(db)
    const key = Buffer.alloc(32, 7)
    applyConfig(db, key, exported, 1)
    const fresh = loadRegistry(db, key)
    const source = modelmux.server.context.registry
    const shape = (registry: typeof fresh) => ({
      connections: registry.connections.filter(({ connection }) => connection.name !== 'gateway').map(({ connection }) => ({ ...connection, id: undefined, apiKey: undefined, options: connection.name === 'corp' ? undefined : connection.options })),
      combos: [...registry.combos.values()].map((combo) => ({ ...combo, id: undefined })),
      aliases: [...registry.aliases],
      settings: { ...registry.settings, notifications: undefined },
    })
    expect(shape(fresh)).toEqual(shape(source))
    expect(fresh.connections.every(({ connection }) => connection.apiKey === null)).toBe(true)
    // The prices the user set come over too.
    const prices = (store: typeof db) => listPriceOverrides(store).map(({ updatedAt, ...price }) => price)
    expect(prices(db)).toEqual(prices(modelmux.server.context.db))
    expect(prices(db)).toHaveLength(2)

    // Applied where it came from: keys, proxy credentials and the webhook stay as they were.
    const before = exportConfig(modelmux.server.context.db, modelmux.server.context.encryptionKey)
    applyConfig(modelmux.server.context.db, modelmux.server.context.encryptionKey, exported, 2)
    modelmux.server.context.reload()
    const after = modelmux.server.context.registry
    expect(after.connections.find(({ connection }) => connection.name === 'work-openai')?.connection.apiKey).toBe(secrets[0])
    expect(after.connections.find(({ connection }) => connection.name === 'corp')?.connection.options.proxy).toContain(secrets[3])
    expect(after.settings.notifications?.webhookUrl).toBe(secrets[2])
    expect(exportConfig(modelmux.server.context.db, modelmux.server.context.encryptionKey)).toEqual(before)
    // Unchanged prices keep the time they were set.
    expect(listPriceOverrides(modelmux.server.context.db).map((price) => price.updatedAt)).not.toContain(2)
  })

  test('modelmux config export prints the file and names what it left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelmux-export-'))
    try {
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config))
      const env = { ...process.env, DATA_DIR: join(dir, 'data'), MODELMUX_CONFIG: join(dir, 'config.json'), INITIAL_PASSWORD: 'export-pass-1' }
      // The config file is applied by a start; a start with port 0 is stopped once it listens.
      const server = Bun.spawn(['bun', 'run', 'src/main.ts'], { env: { ...env, PORT: '0' }, stdout: 'pipe', stderr: 'pipe' })
      const reader = server.stdout.getReader()
      for (let seen = ''; !seen.includes('listening on'); ) seen += new TextDecoder().decode((await reader.read()).value)
      server.kill('SIGTERM')
      await server.exited
      const run = Bun.spawnSync(['bun', 'run', 'src/main.ts', 'config', 'export'], { env })
      expect(run.exitCode).toBe(0)
      const printed = parseConfigFile(run.stdout.toString(), 'stdout')
      expect(printed.combos.map((combo) => combo.name)).toEqual(['ordered', 'stack'])
      expect(run.stdout.toString()).not.toContain(secrets[0])
      expect(run.stderr.toString()).toContain('Left out (secrets): the key of connection "work-openai"')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
