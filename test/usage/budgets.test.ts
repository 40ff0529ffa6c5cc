import { describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { configFileSchema } from '../../src/config/file'
import { ProxyError } from '../../src/core/errors'
import { applyConfig } from '../../src/services/apply-config'
import { budgetCheck, checkKeyLimits, clearBudgetCache, listBudgetStatus, listQuotaWindows } from '../../src/services/budgets'
import type { AppContext } from '../../src/services/context'
import { loadRegistry } from '../../src/services/registry'
import { createUsageRecorder } from '../../src/services/usage-recorder'
import { listApiKeyHashes } from '../../src/store/api-keys'
import { openDatabase } from '../../src/store/db'
import { migrate } from '../../src/store/migrate'
import { insertUsageEvents, type UsageEvent } from '../../src/store/usage'

const HOUR = 3_600_000

/** An in-memory store with a config applied, an injected clock and a real recorder (never flushed by timer). */
function makeContext(settings: Record<string, unknown>, start: number) {
  const db = openDatabase(':memory:')
  migrate(db)
  const key = randomBytes(32)
  applyConfig(
    db,
    key,
    configFileSchema.parse({
      connections: [
        { name: 'sub', provider: 'anthropic', apiKey: 'x' },
        { name: 'api', provider: 'openai', apiKey: 'y' },
        { name: 'api-2', provider: 'openai', apiKey: 'z' },
      ],
      apiKeys: [{ name: 'laptop', key: 'sk-mm-laptop-key-0000000' }],
      settings,
    }),
    0,
  )
  let clock = start
  const usage = createUsageRecorder(db, { intervalMs: 3_600_000 })
  const context = { db, registry: loadRegistry(db, key), usage, now: () => clock } as unknown as AppContext
  const id = (name: string) => context.registry.connections.find((entry) => entry.connection.name === name)!.connection.id
  const event = (connection: string, at: number, inputTokens: number, outputTokens: number, extra: Partial<UsageEvent> = {}): UsageEvent => ({
    at, requestId: crypto.randomUUID(), inboundFormat: 'openai-chat', requestedModel: null, model: connection === 'sub' ? 'anthropic/claude-sonnet-4-5' : 'openai/gpt-4.1',
    provider: connection === 'sub' ? 'anthropic' : 'openai', connectionId: id(connection), apiKeyId: null, status: 200, stream: false, attempts: 1,
    inputTokens, outputTokens, latencyMs: 10, ...extra,
  })
  return {
    context,
    id,
    event,
    keyRecord: () => ({ ...listApiKeyHashes(db)[0], enabled: true }),
    store: (...events: UsageEvent[]) => insertUsageEvents(db, events),
    setClock(at: number) {
      clock = at
      clearBudgetCache(db)
    },
    async [Symbol.asyncDispose]() {
      await usage.close()
      db.close()
    },
  }
}

describe('budgets', () => {
  test('a token budget on a connection blocks it until the daily reset, in the configured time zone', async () => {
    const start = Date.parse('2026-03-08T12:00:00Z') // 08:00 EDT, the day after... spring-forward day
    await using env = makeContext({ quota: { timeZone: 'America/New_York' }, budgets: [{ connection: 'api', window: 'daily', maxTokens: 1000 }] }, start)
    env.store(env.event('api', start - HOUR, 400, 100))
    expect(budgetCheck(env.context, env.id('api'), 'openai', start)).toEqual({ blocked: false })
    env.store(env.event('api', start - 60_000, 450, 50))
    env.setClock(start)
    const verdict = budgetCheck(env.context, env.id('api'), 'openai', start)
    expect(verdict).toEqual({ blocked: true, until: Date.parse('2026-03-09T04:00:00Z'), reason: 'connection "api" reached its daily budget (1000 of 1000 tokens)' })
    // other connections of the provider are not affected by a connection budget
    expect(budgetCheck(env.context, env.id('api-2'), 'openai', start).blocked).toBe(false)
    // usage from yesterday (before local midnight) does not count
    env.setClock(Date.parse('2026-03-09T04:00:00Z'))
    expect(budgetCheck(env.context, env.id('api'), 'openai', Date.parse('2026-03-09T04:00:00Z')).blocked).toBe(false)
  })

  test('a dollar budget on a provider covers all its connections and counts actual cost only', async () => {
    const now = Date.parse('2026-06-15T10:00:00Z')
    await using env = makeContext({ budgets: [{ provider: 'openai', window: 'monthly', maxDollars: 1, warnAt: 0.5 }] }, now)
    env.store(env.event('api', Date.parse('2026-06-01T00:00:00Z'), 100_000, 0, { listCost: 0.2, actualCost: 0.2 }))
    env.store(env.event('api-2', Date.parse('2026-06-10T00:00:00Z'), 200_000, 0, { listCost: 0.4, actualCost: 0.4 }))
    env.store(env.event('api-2', Date.parse('2026-05-31T23:59:59Z'), 900_000, 0, { listCost: 5, actualCost: 5 })) // last month
    let [status] = listBudgetStatus(env.context, now)
    expect(status).toMatchObject({ warning: true, blocked: false, used: { requests: 2 }, window: { kind: 'monthly', start: Date.parse('2026-06-01T00:00:00Z'), resetAt: Date.parse('2026-07-01T00:00:00Z'), resetInMs: Date.parse('2026-07-01T00:00:00Z') - now } })
    expect(status.used.dollars).toBeCloseTo(0.6, 10)
    env.store(env.event('api', now - 1000, 200_000, 50_000, { listCost: 0.8, actualCost: 0.8 }))
    env.setClock(now)
    ;[status] = listBudgetStatus(env.context, now)
    expect(status.blocked).toBe(true)
    expect(budgetCheck(env.context, env.id('api-2'), 'openai', now)).toMatchObject({ blocked: true, until: Date.parse('2026-07-01T00:00:00Z') })
    expect(budgetCheck(env.context, env.id('sub'), 'anthropic', now)).toEqual({ blocked: false })
  })

  test('the 5-hour window rolls: blocked until the oldest counted request is 5 hours old', async () => {
    const now = Date.parse('2026-01-01T12:00:00Z')
    await using env = makeContext({ budgets: [{ connection: 'sub', window: '5h', maxTokens: 100 }] }, now)
    env.store(env.event('sub', now - 4 * HOUR, 60, 0), env.event('sub', now - HOUR, 40, 0), env.event('sub', now - 6 * HOUR, 1000, 0))
    expect(budgetCheck(env.context, env.id('sub'), 'anthropic', now)).toMatchObject({ blocked: true, until: now + HOUR })
    env.setClock(now + HOUR)
    expect(budgetCheck(env.context, env.id('sub'), 'anthropic', now + HOUR)).toEqual({ blocked: false })
  })

  test('rows still queued in the recorder count at once', async () => {
    const now = Date.parse('2026-01-01T12:00:00Z')
    await using env = makeContext({ budgets: [{ connection: 'api', window: 'daily', maxTokens: 100 }] }, now)
    expect(budgetCheck(env.context, env.id('api'), 'openai', now).blocked).toBe(false)
    env.context.usage.record(env.event('api', now, 80, 30))
    expect(budgetCheck(env.context, env.id('api'), 'openai', now).blocked).toBe(true)
  })

  test('rows written after a sum was cached still count until the sum is read again', async () => {
    const now = Date.parse('2026-01-01T12:00:00Z')
    await using env = makeContext({ budgets: [{ connection: 'api', window: 'daily', maxTokens: 100 }] }, now)
    env.context.usage.record(env.event('api', now, 40, 30))
    // The store's sum is read (0) and cached for a second; the queued row counts on top of it.
    expect(listBudgetStatus(env.context, now)[0].used.tokens).toBe(70)
    // Written within that second: no longer queued, not yet in the cached sum, it must not drop out.
    await env.context.usage.flush()
    expect(listBudgetStatus(env.context, now + 10)[0].used.tokens).toBe(70)
    env.context.usage.record(env.event('api', now + 20, 20, 10))
    expect(budgetCheck(env.context, env.id('api'), 'openai', now + 20).blocked).toBe(true)
    await env.context.usage.flush()
    // Another connection's rows, and rows from before the window, are not added.
    env.context.usage.record(env.event('api-2', now + 30, 500, 0))
    env.context.usage.record(env.event('api', now - 24 * HOUR, 500, 0))
    await env.context.usage.flush()
    expect(listBudgetStatus(env.context, now + 40)[0].used).toEqual({ tokens: 100, dollars: expect.any(Number), requests: 2, unpriced: 0 })
    env.setClock(now + 2_000)
    expect(listBudgetStatus(env.context, now + 2_000)[0].used.tokens).toBe(100)
  })

  test('quota windows report usage and reset countdowns for every window', async () => {
    const now = Date.parse('2026-03-11T10:30:00Z') // a Wednesday
    await using env = makeContext({ quota: { timeZone: 'Asia/Kolkata', resetHour: 5, weekStartsOn: 1 } }, now)
    env.store(env.event('sub', now - 2 * HOUR, 10, 5), env.event('sub', now - 30 * HOUR, 100, 50))
    const windows = listQuotaWindows(env.context, env.id('sub'), now)
    expect(windows.map((w) => [w.kind, w.used.tokens, w.resetAt && new Date(w.resetAt).toISOString()])).toEqual([
      ['5h', 15, '2026-03-11T13:30:00.000Z'],
      ['daily', 15, '2026-03-11T23:30:00.000Z'],
      ['weekly', 165, '2026-03-15T23:30:00.000Z'],
      ['monthly', 165, '2026-03-31T23:30:00.000Z'],
    ])
    expect(windows[1].resetInMs).toBe(13 * HOUR)
  })
})

describe('client key limits', () => {
  test('requests per minute: a sliding minute, then a 429', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    await using env = makeContext({ keyLimits: { laptop: { requestsPerMinute: 2 } } }, now)
    const key = env.keyRecord()
    checkKeyLimits(env.context, key, now)
    checkKeyLimits(env.context, key, now + 10_000)
    let error: unknown
    try {
      checkKeyLimits(env.context, key, now + 20_000)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ProxyError)
    expect(error).toMatchObject({ status: 429, kind: 'rate_limit', code: 'key_rate_limit', message: 'API key "laptop" is over its limit of 2 requests per minute; retry in 40s' })
    expect(() => checkKeyLimits(env.context, key, now + 60_001)).not.toThrow()
    expect(() => checkKeyLimits(env.context, null, now + 60_002)).not.toThrow()
  })

  test('tokens per day from the default "*" limit, reset at the local day', async () => {
    const now = Date.parse('2026-01-01T20:00:00Z')
    await using env = makeContext({ keyLimits: { '*': { tokensPerDay: 1000 } }, quota: { timeZone: 'Asia/Kolkata' } }, now)
    const key = env.keyRecord()
    env.store(env.event('api', now - 60_000, 900, 100, { apiKeyId: key.id }))
    expect(() => checkKeyLimits(env.context, key, now)).toThrow('API key "laptop" used 1000 of its 1000 tokens per day; the limit resets at 2026-01-02T18:30:00.000Z')
    env.setClock(Date.parse('2026-01-02T18:30:00Z'))
    expect(() => checkKeyLimits(env.context, key, Date.parse('2026-01-02T18:30:00Z'))).not.toThrow()
  })

  test('dollars per day count what the key\'s requests cost at their tier, queued ones included', async () => {
    const now = Date.parse('2026-01-01T12:00:00Z')
    await using env = makeContext({ keyLimits: { laptop: { dollarsPerDay: 0.5 } } }, now)
    const key = env.keyRecord()
    // A subscription's answers cost nothing, whatever their list price.
    env.store(env.event('sub', now - 60_000, 1_000_000, 0, { apiKeyId: key.id, listCost: 3, actualCost: 0 }))
    env.store(env.event('api', now - 30_000, 100_000, 0, { apiKeyId: key.id, listCost: 0.2, actualCost: 0.2 }))
    expect(() => checkKeyLimits(env.context, key, now)).not.toThrow()
    // Priced as it is queued: 150,000 gpt-4.1 input tokens at $2 per 1M make $0.30.
    env.context.usage.record(env.event('api', now, 150_000, 0, { apiKeyId: key.id }))
    expect(() => checkKeyLimits(env.context, key, now)).toThrow('API key "laptop" spent $0.5000 of its $0.5 per day; the limit resets at 2026-01-02T00:00:00.000Z')
    try {
      checkKeyLimits(env.context, key, now)
    } catch (error) {
      expect(error).toMatchObject({ status: 429, code: 'key_spend_limit' })
    }
  })

  test('dollars per month count from where the reset rule starts the month; last month\'s spend does not', async () => {
    const now = Date.parse('2026-03-20T12:00:00Z')
    await using env = makeContext({ keyLimits: { '*': { dollarsPerMonth: 10 } }, quota: { monthResetDay: 15 } }, now)
    const key = env.keyRecord()
    env.store(env.event('api', Date.parse('2026-03-14T12:00:00Z'), 1000, 0, { apiKeyId: key.id, listCost: 50, actualCost: 50 }))
    env.store(env.event('api', Date.parse('2026-03-16T12:00:00Z'), 1000, 0, { apiKeyId: key.id, listCost: 9, actualCost: 9 }))
    expect(() => checkKeyLimits(env.context, key, now)).not.toThrow()
    env.store(env.event('api', Date.parse('2026-03-19T12:00:00Z'), 1000, 0, { apiKeyId: key.id, listCost: 1, actualCost: 1 }))
    env.setClock(now + 1)
    expect(() => checkKeyLimits(env.context, key, now + 1)).toThrow('API key "laptop" spent $10.0000 of its $10 per month; the limit resets at 2026-04-15T00:00:00.000Z')
  })
})
