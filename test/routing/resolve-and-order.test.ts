import { expect, test } from 'bun:test'
import { openDatabase } from '../../src/store/db'
import { migrate } from '../../src/store/migrate'
import { applyConfig } from '../../src/services/apply-config'
import { parseConfigFile } from '../../src/config/file'
import { loadRegistry } from '../../src/services/registry'
import { resolveModel, resolveRequestedModel } from '../../src/services/resolve-model'
import { createRouter } from '../../src/services/routing'

function registryFor(config: unknown) {
  const db = openDatabase(':memory:')
  migrate(db)
  const key = Buffer.alloc(32, 3)
  applyConfig(db, key, parseConfigFile(JSON.stringify(config), 'test'), 1)
  return loadRegistry(db, key)
}

const base = {
  connections: [
    { name: 'a1', provider: 'openai-compatible', prefix: 'a', baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'k', priority: 1 },
    { name: 'a2', provider: 'openai-compatible', prefix: 'a', baseUrl: 'http://127.0.0.1:2/v1', apiKey: 'k', priority: 2 },
    { name: 'a3', provider: 'openai-compatible', prefix: 'a', baseUrl: 'http://127.0.0.1:3/v1', apiKey: 'k', priority: 3 },
    { name: 'b', provider: 'anthropic-compatible', prefix: 'b', baseUrl: 'http://127.0.0.1:4/v1', apiKey: 'k' },
    { name: 'off', provider: 'openai-compatible', prefix: 'off', baseUrl: 'http://127.0.0.1:5/v1', apiKey: 'k', enabled: false },
  ],
  combos: [
    { name: 'cheap', models: ['b/haiku', 'a/small'] },
    { name: 'a', models: ['b/shadowed'] },
  ],
  aliases: { fast: 'cheap', 'b/sonnet': 'a/override', loop: 'loop2', loop2: 'loop' },
  settings: {
    routing: {
      modelMapping: [
        { match: 'claude-haiku-*', target: 'cheap' },
        { match: 'claude-*', target: 'b/claude-sonnet-4-6' },
      ],
      providers: { 'openai-compatible': { strategy: 'round-robin' } },
    },
  },
}

const names = (candidates: ReturnType<typeof resolveModel>) => candidates.map((c) => `${c.entry.connection.name}:${c.upstreamModel}`)

test('precedence: alias, then combo, then prefix, then model mapping', () => {
  const registry = registryFor(base)
  expect(names(resolveModel(registry, 'a/gpt'))).toEqual(['a1:gpt', 'a2:gpt', 'a3:gpt'])
  expect(names(resolveModel(registry, 'cheap'))).toEqual(['b:haiku', 'a1:small', 'a2:small', 'a3:small'])
  expect(names(resolveModel(registry, 'fast'))).toEqual(names(resolveModel(registry, 'cheap')))
  // An alias beats a prefixed name it shadows.
  expect(names(resolveModel(registry, 'b/sonnet'))).toEqual(['a1:override', 'a2:override', 'a3:override'])
  // A combo named like a prefix wins for that exact name only.
  expect(names(resolveModel(registry, 'a'))).toEqual(['b:shadowed'])
  expect(names(resolveModel(registry, 'claude-haiku-4-5-20251001'))).toEqual(names(resolveModel(registry, 'cheap')))
  expect(names(resolveModel(registry, 'claude-sonnet-4-5-20250929'))).toEqual(['b:claude-sonnet-4-6'])
  expect(resolveModel(registry, 'gpt-5')).toEqual([])
  expect(resolveModel(registry, 'off/x')).toEqual([])
  expect(resolveModel(registry, 'loop')).toEqual([])
})

test('an unknown model\'s 404 says what is wrong and what was likely meant', () => {
  const notFound = (registry: ReturnType<typeof registryFor>, model: string, mayUse?: (id: string) => boolean) => {
    try {
      resolveRequestedModel(registry, model, mayUse)
    } catch (error) {
      expect(error).toMatchObject({ kind: 'not_found', status: 404, code: 'model_not_found', param: 'model' })
      return (error as Error).message
    }
    throw new Error(`"${model}" resolved`)
  }
  const listing = registryFor({
    connections: [
      { name: 'cl', provider: 'anthropic-compatible', prefix: 'cl', baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'k', models: ['claude-sonnet-4-6', 'claude-opus-4-6'] },
      { name: 'glm', provider: 'openai-compatible', prefix: 'glm', baseUrl: 'http://127.0.0.1:2/v1', apiKey: 'k', models: ['glm-4.7', 'Claude-Sonnet-4-6'] },
      { name: 'off', provider: 'openai-compatible', prefix: 'off', baseUrl: 'http://127.0.0.1:3/v1', apiKey: 'k', models: ['m'], enabled: false },
    ],
  })
  // A name sent without its prefix, or under another one: every listed id it is the model of (case aside).
  expect(notFound(listing, 'claude-sonnet-4-6')).toBe('model "claude-sonnet-4-6" is not configured; did you mean "cl/claude-sonnet-4-6" or "glm/Claude-Sonnet-4-6"? GET /v1/models lists the models you can use')
  expect(notFound(listing, 'anthropic/claude-opus-4-6')).toContain('did you mean "cl/claude-opus-4-6"?')
  // Claude Code's own dated names find the undated listing (and the other way round).
  expect(notFound(listing, 'claude-opus-4-6-20260101')).toContain('did you mean "cl/claude-opus-4-6"?')
  expect(notFound(listing, 'glm-4.7-latest')).toContain('did you mean "glm/glm-4.7"?')
  // A name of a tool's own with no listed match: a model mapping is what sends it somewhere.
  expect(notFound(listing, 'claude-haiku-4-5-20251001')).toBe('model "claude-haiku-4-5-20251001" is not configured; GET /v1/models lists the models you can use, and a model mapping (dashboard: Combos) can send names like it to one')
  // Only ids the client's key may use are suggested.
  expect(notFound(listing, 'claude-sonnet-4-6', (id) => id.startsWith('glm/'))).toContain('did you mean "glm/Claude-Sonnet-4-6"?')
  expect(notFound(listing, 'claude-sonnet-4-6', () => false)).not.toContain('did you mean')
  // A prefix no enabled connection has; one whose connection is switched off (named by its prefix only).
  expect(notFound(listing, 'nope/x')).toBe('model "nope/x" is not configured; no enabled connection has the prefix "nope"; GET /v1/models lists the models you can use')
  expect(notFound(listing, 'off/m')).toBe('model "off/m" is not configured; the connection with the prefix "off" is disabled')
  // Nothing set up at all: the one thing to do next.
  expect(notFound(registryFor({}), 'gpt-4o')).toBe('model "gpt-4o" is not configured; no connection is set up yet: add one in the dashboard (/dashboard) or in a config file')
})

test('round-robin rotates a pool; affinity keeps a conversation on its account', () => {
  const registry = registryFor(base)
  const router = createRouter()
  const order = (key?: string) => names(router.order(resolveModel(registry, 'a/m'), key, registry.settings.routing?.providers)).map((n) => n.split(':')[0])
  expect(order()).toEqual(['a1', 'a2', 'a3'])
  expect(order()).toEqual(['a2', 'a3', 'a1'])
  expect(order()).toEqual(['a3', 'a1', 'a2'])
  router.remember('conversation-1', registry.connections.find((c) => c.connection.name === 'a2')!.connection.id, 'a/m')
  expect(order('conversation-1')[0]).toBe('a2')
  expect(order('conversation-1')[0]).toBe('a2')
  expect(order('conversation-2')).toHaveLength(3)
})

test('priority pools fill the first account', () => {
  const registry = registryFor({ ...base, settings: {} })
  const router = createRouter()
  for (let i = 0; i < 3; i++) expect(names(router.order(resolveModel(registry, 'a/m'), undefined, {}))[0]).toBe('a1:m')
})
