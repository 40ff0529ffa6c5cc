import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, readRuntimeConfig } from '../../src/config/env'
import { parseConfigFile } from '../../src/config/file'
import { applyConfig } from '../../src/services/apply-config'
import { openDatabase } from '../../src/store/db'
import { migrate } from '../../src/store/migrate'

const good = {
  connections: [
    { name: 'work-openai', provider: 'openai', apiKey: 'sk-1', priority: 1 },
    { name: 'local-vllm', provider: 'openai-compatible', prefix: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', apiKey: 'x', models: ['qwen3-coder'] },
  ],
  combos: [{ name: 'stack', models: ['vllm/qwen3-coder', 'openai/gpt-5.1'] }],
  aliases: { fast: 'vllm/qwen3-coder' },
  apiKeys: [{ name: 'laptop', key: 'sk-mm-0123456789abcdef' }],
  settings: { requireApiKey: true, timeouts: { idleMs: 5000 } },
}

describe('config file validation names the field and the problem', () => {
  test.each([
    ['{', /not valid JSON/],
    [JSON.stringify({ connections: [{ name: 'x', provider: 'nope' }] }), /connections\[0\]\.provider: unknown provider "nope"/],
    [JSON.stringify({ connections: [{ name: 'x', provider: 'openai-compatible', prefix: 'p' }] }), /connections\[0\]\.baseUrl: required for openai-compatible/],
    [JSON.stringify({ connections: [{ name: 'x', provider: 'openai', baseUrl: 'ftp://a' }] }), /connections\[0\]\.baseUrl: must be an http\(s\) URL/],
    [JSON.stringify({ settings: { timeouts: { idleMs: 'soon' } } }), /settings\.timeouts\.idleMs/],
    [JSON.stringify({ combos: [{ name: 'c', models: [] }] }), /combos\[0\]\.models/],
    [JSON.stringify({ surprise: 1 }), /surprise/],
    [JSON.stringify({ settings: { routing: { scenarios: [{ when: 'images', model: 'v/x', minTokens: 5 }] } } }), /settings\.routing\.scenarios\[0\]\.minTokens: "minTokens" applies to "long-context" rules only/],
    [JSON.stringify({ settings: { routing: { scenarios: [{ when: 'huge', model: 'v/x' }] } } }), /settings\.routing\.scenarios\[0\]\.when/],
    [JSON.stringify({ connections: [good.connections[0], good.connections[0]] }), /connections\[1\]\.name: duplicate name/],
  ])('%s', (text, message) => {
    expect(() => parseConfigFile(text, 'config.json')).toThrow(message)
    try {
      parseConfigFile(text, 'config.json')
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as Error).message.split('\n')).toHaveLength(1)
    }
  })
})

test('applying the same config twice changes nothing', () => {
  const db = openDatabase(':memory:')
  migrate(db)
  const key = Buffer.alloc(32, 7)
  const config = parseConfigFile(JSON.stringify(good), 'config.json')
  applyConfig(db, key, config, 1000)
  const dump = () => JSON.stringify(['connections', 'combos', 'aliases', 'api_keys', 'settings'].map((t) => db.query(`SELECT * FROM ${t} ORDER BY 1`).all()))
  const first = dump()
  applyConfig(db, key, config, 1000)
  expect(dump()).toBe(first)
  expect(db.query('SELECT COUNT(*) AS n FROM connections').get()).toEqual({ n: 2 })
})

test('bad env values are one clear line', () => {
  expect(() => readRuntimeConfig({ PORT: 'eighty' })).toThrow(/^PORT: /)
  expect(() => readRuntimeConfig({ REQUIRE_API_KEY: 'maybe' })).toThrow('REQUIRE_API_KEY: expected true or false')
  expect(() => readRuntimeConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: must be at least 32 characters/)
  expect(readRuntimeConfig({ PORT: '', REQUIRE_API_KEY: 'off' })).toMatchObject({ port: 20128, requireApiKey: false, hostname: '127.0.0.1' })
})

test('a bad config file stops start-up before the database is touched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelmux-badconfig-'))
  try {
    const configFile = join(dir, 'config.json')
    writeFileSync(configFile, JSON.stringify({ connections: [{ name: 'x', provider: 'nope' }] }))
    const proc = Bun.spawn(['bun', 'run', 'src/main.ts'], {
      env: { ...process.env, DATA_DIR: join(dir, 'data'), MODELMUX_CONFIG: configFile, PORT: '0' },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    expect(await proc.exited).toBe(2)
    const stderr = await new Response(proc.stderr).text()
    expect(stderr.trim().split('\n')).toEqual([`modelmux: ${configFile}: connections[0].provider: unknown provider "nope"`])
    expect(await Bun.file(join(dir, 'data', 'modelmux.db')).exists()).toBe(false)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
