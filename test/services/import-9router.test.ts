import { describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { from9router, rewriteModelName, validatedImport } from '../../src/services/import-9router'
import { spawnServer } from '../helpers/spawn-server'
import { startTestServer } from '../helpers/test-server'
import { signIn } from '../dashboard/helpers'

const fixture = join(import.meta.dir, '../fixtures/9router-db.json')
const db = () => JSON.parse(readFileSync(fixture, 'utf8'))

describe('import from 9router', () => {
  test('connections, nodes, combos, aliases, keys and settings come over; what cannot is named', () => {
    const { config, notes } = from9router(db())
    const imported = validatedImport(config, notes)
    expect(imported.connections).toEqual([
      { name: 'OpenAI-main', provider: 'openai', apiKey: 'sk-proj-openai-0123456789', models: ['gpt-5.1', 'gpt-4.1'], priority: 1, enabled: true },
      { name: 'OpenAI-main-2', provider: 'openai', apiKey: 'sk-proj-openai-second-012345', priority: 2, enabled: false },
      { name: 'home-vllm', provider: 'openai-compatible', prefix: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', apiKey: 'x', priority: 1, enabled: true },
      { name: 'corp-claude', provider: 'anthropic-compatible', prefix: 'corp', baseUrl: 'https://llm.corp.example/v1', apiKey: 'sk-corp-0123456789', enabled: true, options: { proxy: 'http://proxy.internal:3128' } },
      { name: 'azure-eu', provider: 'azure', baseUrl: 'https://myorg.openai.azure.com', apiKey: 'azure-key-0123456789', enabled: true, options: { deployment: 'gpt4o-prod', apiVersion: '2024-10-01-preview' } },
    ])
    // 9router's claude/… is the Claude Code subscription: cc/… here.
    expect(imported.combos).toEqual([{ name: 'stack', models: ['cc/claude-sonnet-4-6', 'vllm/qwen3-coder', 'openai/gpt-5.1'], strategy: 'round-robin' }])
    expect(imported.aliases).toEqual({ fast: 'cc/claude-haiku-4-5', local: 'vllm/qwen3-coder' })
    expect(imported.apiKeys).toEqual([{ name: 'laptop', key: 'sk-9r-laptop-0123456789abcdef' }])
    expect(imported.settings).toEqual({ requireApiKey: true, routing: { providers: { openai: { strategy: 'round-robin' } } }, tokenSaver: { enabled: true } })
    expect(JSON.stringify(imported)).not.toContain('not-imported')
    const said = notes.join('\n')
    expect(said).toContain('2 claude-code logins (work-max, personal-pro): subscription logins do not move; run "modelmux login claude-code"')
    expect(said).toContain('1 github-copilot login (copilot)')
    expect(said).toContain('connection "hyp" (hyperbolic) was left out: modelmux has no such provider')
    expect(said).toContain('connection "broken-node" was left out: baseUrl must be an http(s) URL')
    expect(said).toContain('client key "short" was left out: modelmux takes keys of 16 characters or more')
    expect(said).toContain('9router sent everything through a proxy (http://proxy.example:8080): set HTTPS_PROXY for modelmux')
    expect(said).not.toContain('proxy-secret')
    expect(said).toContain('the dashboard password was not imported')
  })

  test('model names: only prefixes that mean something else here change', () => {
    expect(rewriteModelName('claude/claude-opus-4-6')).toBe('cc/claude-opus-4-6')
    expect(rewriteModelName('github/gpt-5')).toBe('gh/gpt-5')
    expect(rewriteModelName('qwen/qwen3-coder-plus')).toBe('qw/qwen3-coder-plus')
    expect(rewriteModelName('ollama/gpt-oss:120b')).toBe('ollama-cloud/gpt-oss:120b')
    for (const same of ['cc/claude-sonnet-4-6', 'openrouter/anthropic/claude-sonnet-4.5', 'vllm/qwen', 'gpt-5']) expect(rewriteModelName(same)).toBe(same)
    expect(() => from9router({ something: 'else' })).toThrow('this is not a 9router db.json')
  })

  test('modelmux import 9router: a dry run changes nothing; the import does, and the 9router client key then works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelmux-import-'))
    try {
      const env = { ...process.env, DATA_DIR: join(dir, 'data'), INITIAL_PASSWORD: 'import-pass-1' }
      const run = async (...args: string[]) => {
        const proc = Bun.spawn(['bun', 'run', 'src/main.ts', ...args], { env, stdout: 'pipe', stderr: 'pipe' })
        const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()])
        return { code, stdout, stderr }
      }
      const dry = await run('import', '9router', fixture, '--dry-run')
      expect(dry.code).toBe(0)
      expect(dry.stdout).toStartWith(`Would import from ${fixture}: 5 connections, 1 combos, 2 aliases, 1 client keys.`)
      expect((await run('keys', 'list')).stdout).toBe('')
      const real = await run('import', '9router', fixture)
      expect(real.stdout).toStartWith(`Imported from ${fixture}: 5 connections`)
      // The database from before is kept beside it, ready for Settings → Restore.
      const copy = /kept at (\S+) \(Settings/.exec(real.stdout)?.[1]
      expect(copy).toStartWith(join(dir, 'data', 'modelmux-before-import-'))
      expect(existsSync(copy!)).toBe(true)
      expect((await run('keys', 'list')).stdout).toContain('laptop\t')
      const again = await run('import', '9router', fixture)
      expect(again.stdout).toContain('updated connections that already existed here: OpenAI-main, OpenAI-main-2, home-vllm, corp-claude, azure-eu')

      await using server = await spawnServer({ DATA_DIR: join(dir, 'data') })
      expect((await fetch(`${server.url}/v1/models`)).status).toBe(401)
      const models = await fetch(`${server.url}/v1/models`, { headers: { authorization: 'Bearer sk-9r-laptop-0123456789abcdef' } })
      expect(models.status).toBe(200)
      expect(JSON.stringify(await models.json())).toContain('stack')
      const missing = await run('import', '9router', join(dir, 'nope.json'))
      expect([missing.code, missing.stderr.trim()]).toEqual([2, `modelmux: import 9router: cannot read ${join(dir, 'nope.json')}: ENOENT`])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the Settings page imports an uploaded db.json at once, and refuses a file that is not one without changing anything', async () => {
    // Routing rules and token-saver limits already here stay: the import adds to them.
    await using modelmux = await startTestServer({ settings: { routing: { modelMapping: [{ match: 'claude-*', target: 'stack' }], providers: { groq: { strategy: 'round-robin' } } }, tokenSaver: { enabled: false, maxLines: 300 } } })
    const cookie = await signIn(modelmux.url)
    const upload = (body: string) => {
      const form = new FormData()
      form.set('file', new File([body], 'db.json', { type: 'application/json' }))
      return fetch(`${modelmux.url}/dashboard/settings/import-9router`, { method: 'POST', headers: { cookie, 'hx-request': 'true' }, body: form }).then((response) => response.text())
    }
    expect(await upload('{"nope": true}')).toContain('Not imported: this is not a 9router db.json: it has no providerConnections list. Nothing was changed.')
    expect(await upload('not json')).toContain('That file is not JSON. Nothing was changed.')
    expect(modelmux.server.context.registry.connections).toHaveLength(0)
    const done = await upload(readFileSync(fixture, 'utf8'))
    expect(done).toContain('Imported 5 connections, 1 combos, 2 aliases, 1 client keys.')
    expect(done).toContain('run &quot;modelmux login claude-code&quot;')
    expect(modelmux.server.context.registry.combos.get('stack')?.models[0]).toBe('cc/claude-sonnet-4-6')
    expect(modelmux.server.context.registry.connections.map(({ connection }) => connection.name)).toContain('home-vllm')
    expect(modelmux.server.context.registry.settings.routing).toEqual({ modelMapping: [{ match: 'claude-*', target: 'stack' }], providers: { groq: { strategy: 'round-robin' }, openai: { strategy: 'round-robin' } } })
    expect(modelmux.server.context.registry.settings.tokenSaver).toEqual({ enabled: true, maxLines: 300 })
  })
})
