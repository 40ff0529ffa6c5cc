import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyCliTool, CliToolError, listCliTools, resetCliTool } from '../../src/services/cli-tools'

const target = { origin: 'http://127.0.0.1:20128', apiKey: 'sk-mm-test', model: 'stack' }
let home: string
const env = () => ({ home, path: '', now: () => Date.UTC(2026, 0, 2, 3, 4, 5) })
const read = (...parts: string[]) => readFileSync(join(home, ...parts), 'utf8')
const write = (text: string, ...parts: string[]) => {
  mkdirSync(join(home, ...parts.slice(0, -1)), { recursive: true })
  writeFileSync(join(home, ...parts), text)
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'modelmux-home-'))
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

describe('cli tools', () => {
  test('claude code: merges the env block, keeps other settings, backs up, resets', () => {
    write(JSON.stringify({ theme: 'dark', env: { KEEP: '1' } }), '.claude', 'settings.json')
    expect(listCliTools(env()).find((tool) => tool.id === 'claude-code')).toMatchObject({ installed: true, configured: false })
    const backups = applyCliTool(env(), 'claude-code', target)
    expect(backups).toEqual([join(home, '.claude', 'settings.json.modelmux-20260102T030405.bak')])
    expect(JSON.parse(read('.claude', 'settings.json'))).toEqual({
      theme: 'dark',
      hasCompletedOnboarding: true,
      env: {
        KEEP: '1',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:20128',
        ANTHROPIC_AUTH_TOKEN: 'sk-mm-test',
        ANTHROPIC_MODEL: 'stack',
        ANTHROPIC_DEFAULT_OPUS_MODEL: 'stack',
        ANTHROPIC_DEFAULT_SONNET_MODEL: 'stack',
        ANTHROPIC_DEFAULT_HAIKU_MODEL: 'stack',
        CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY: '1',
      },
    })
    expect(JSON.parse(read('.claude', 'settings.json.modelmux-20260102T030405.bak'))).toEqual({ theme: 'dark', env: { KEEP: '1' } })
    expect(listCliTools(env()).find((tool) => tool.id === 'claude-code')?.configured).toBe(true)
    resetCliTool(env(), 'claude-code')
    expect(JSON.parse(read('.claude', 'settings.json'))).toEqual({ theme: 'dark', hasCompletedOnboarding: true, env: { KEEP: '1' } })
  })

  test('codex: keeps other TOML keys and tables, replaces only its own', () => {
    write('model = "gpt-5"\napproval_policy = "never"\n\n[mcp_servers.docs]\ncommand = "docs"\n', '.codex', 'config.toml')
    write(JSON.stringify({ tokens: { id: 'keep-me' } }), '.codex', 'auth.json')
    applyCliTool(env(), 'codex', target)
    applyCliTool(env(), 'codex', { ...target, model: 'fast' })
    const config = Bun.TOML.parse(read('.codex', 'config.toml')) as Record<string, any>
    expect(config).toEqual({
      model: 'fast',
      model_provider: 'modelmux',
      approval_policy: 'never',
      mcp_servers: { docs: { command: 'docs' } },
      model_providers: { modelmux: { name: 'modelmux', base_url: 'http://127.0.0.1:20128/v1', wire_api: 'responses' } },
    })
    expect(JSON.parse(read('.codex', 'auth.json'))).toEqual({ tokens: { id: 'keep-me' }, OPENAI_API_KEY: 'sk-mm-test', auth_mode: 'apikey' })
    resetCliTool(env(), 'codex')
    expect(Bun.TOML.parse(read('.codex', 'config.toml'))).toEqual({ approval_policy: 'never', mcp_servers: { docs: { command: 'docs' } } })
    expect(JSON.parse(read('.codex', 'auth.json'))).toEqual({ tokens: { id: 'keep-me' } })
  })

  test('gemini cli: its ~/.gemini/.env gets the base URL, key and model, other lines kept; reset takes only those out', () => {
    write('# mine\nGOOGLE_CLOUD_PROJECT=proj-1\nexport GEMINI_API_KEY=old-key\n', '.gemini', '.env')
    expect(listCliTools(env()).find((tool) => tool.id === 'gemini-cli')?.configured).toBe(false)
    applyCliTool(env(), 'gemini-cli', target)
    expect(read('.gemini', '.env')).toBe(`# mine\nGOOGLE_CLOUD_PROJECT=proj-1\nGOOGLE_GEMINI_BASE_URL=${target.origin}\nGEMINI_API_KEY=${target.apiKey}\nGEMINI_MODEL=stack\n`)
    expect(listCliTools(env()).find((tool) => tool.id === 'gemini-cli')?.configured).toBe(true)
    applyCliTool(env(), 'gemini-cli', target)
    expect(read('.gemini', '.env').match(/GOOGLE_GEMINI_BASE_URL/g)).toHaveLength(1)
    resetCliTool(env(), 'gemini-cli')
    expect(read('.gemini', '.env')).toBe('# mine\nGOOGLE_CLOUD_PROJECT=proj-1\n')
  })

  test('opencode, openclaw and droid get a modelmux provider next to the others', () => {
    write(JSON.stringify({ provider: { other: { npm: 'x' } } }), '.config', 'opencode', 'opencode.json')
    write(JSON.stringify({ customModels: [{ id: 'custom:mine', model: 'm' }] }), '.factory', 'settings.json')
    for (const id of ['opencode', 'openclaw', 'droid'] as const) applyCliTool(env(), id, target)
    const opencode = JSON.parse(read('.config', 'opencode', 'opencode.json'))
    expect(Object.keys(opencode.provider)).toEqual(['other', 'modelmux'])
    expect(opencode.model).toBe('modelmux/stack')
    expect(JSON.parse(read('.openclaw', 'openclaw.json')).agents.defaults.model.primary).toBe('modelmux/stack')
    expect(JSON.parse(read('.factory', 'settings.json')).customModels.map((m: { id: string }) => m.id)).toEqual(['custom:modelmux-0', 'custom:mine'])
    for (const id of ['opencode', 'openclaw', 'droid'] as const) resetCliTool(env(), id)
    expect(JSON.parse(read('.config', 'opencode', 'opencode.json')).provider).toEqual({ other: { npm: 'x' } })
    expect(JSON.parse(read('.factory', 'settings.json')).customModels).toEqual([{ id: 'custom:mine', model: 'm' }])
  })

  test('an unparseable config is left alone', () => {
    write('{ not json', '.claude', 'settings.json')
    expect(() => applyCliTool(env(), 'claude-code', target)).toThrow(CliToolError)
    expect(read('.claude', 'settings.json')).toBe('{ not json')
    expect(readdirSync(join(home, '.claude'))).toEqual(['settings.json'])
  })
})
