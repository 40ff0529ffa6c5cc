import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkpoint, openDatabase } from '../../src/store/db'
import { migrate } from '../../src/store/migrate'
import { listRequests, listUsageProviders, usageBreakdown, usageByConnection, usageByModel, usageSeries, usageTotals } from '../../src/store/dashboard-queries'
import { insertUsageEvents, type UsageEvent } from '../../src/store/usage'
import { breakdownUsage, listUsageEvents, sumRolledUpUsage } from '../../src/store/usage-queries'

const HOUR = 3_600_000
const DAY = 24 * HOUR

function event(index: number, overrides: Partial<UsageEvent>): UsageEvent {
  return {
    at: 10 * HOUR + index * 1000,
    requestId: Bun.randomUUIDv7(),
    inboundFormat: 'openai-chat',
    requestedModel: 'oa/gpt-4.1',
    model: 'oa/gpt-4.1',
    provider: 'openai',
    connectionId: 1,
    apiKeyId: null,
    status: 200,
    stream: false,
    attempts: 1,
    inputTokens: 10 + index,
    outputTokens: 100 + index,
    latencyMs: 50 + index,
    listCost: 0.001 * index,
    actualCost: 0.001 * index,
    ...overrides,
  }
}

describe('usage_hourly rollups', () => {
  test('a batch folded per hour and key sums exactly what its raw rows sum, across batches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelmux-rollups-'))
    try {
      const db = openDatabase(join(dir, 'db.sqlite'))
      migrate(db)
      const mixed = (offset: number) =>
        Array.from({ length: 60 }, (_, i) =>
          event(offset + i, {
            // Three keys, four hours on two days, errors, estimates, unpriced rows and missing counts all mixed in one batch.
            at: [10, 11, 34, 35][i % 4] * HOUR + i,
            model: i % 3 === 0 ? 'oa/gpt-4.1-mini' : 'oa/gpt-4.1',
            apiKeyId: i % 5 === 0 ? 7 : null,
            status: i % 7 === 0 ? 429 : 200,
            estimated: i % 4 === 0,
            listCost: i % 6 === 0 ? undefined : 0.001 * i,
            outputTokens: i % 9 === 0 ? undefined : 100 + i,
          }),
        )
      insertUsageEvents(db, mixed(0))
      insertUsageEvents(db, mixed(100))
      const fromRaw = db
        .query(
          `SELECT (at / ${HOUR}) * ${HOUR} AS hour, COALESCE(provider, '') AS provider, COALESCE(connection_id, 0) AS connection_id,
             COALESCE(model, '') AS model, COALESCE(api_key_id, 0) AS api_key_id, COUNT(*) AS requests,
             SUM(status >= 400) AS errors, SUM(estimated) AS estimated,
             SUM(COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) > 0 AND list_cost IS NULL) AS unpriced,
             SUM(COALESCE(input_tokens, 0)) AS input_tokens, SUM(COALESCE(output_tokens, 0)) AS output_tokens,
             ROUND(SUM(COALESCE(list_cost, 0)), 9) AS list_cost, SUM(latency_ms) AS latency_ms
           FROM usage_events GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
        )
        .all()
      const rolled = db
        .query(
          `SELECT hour, provider, connection_id, model, api_key_id, requests, errors, estimated, unpriced, input_tokens, output_tokens,
             ROUND(list_cost, 9) AS list_cost, latency_ms
           FROM usage_hourly ORDER BY 1, 2, 3, 4, 5`,
        )
        .all()
      expect(fromRaw.length).toBeGreaterThanOrEqual(8)
      expect(rolled).toEqual(fromRaw)
      // The days are the sums of their hours.
      const daysFromHours = db
        .query(
          `SELECT (hour / ${DAY}) * ${DAY} AS day, provider, connection_id, model, api_key_id, SUM(requests) AS requests, SUM(errors) AS errors,
             SUM(estimated) AS estimated, SUM(unpriced) AS unpriced, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
             ROUND(SUM(list_cost), 9) AS list_cost, SUM(latency_ms) AS latency_ms
           FROM usage_hourly GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
        )
        .all()
      const daily = db
        .query(
          `SELECT day, provider, connection_id, model, api_key_id, requests, errors, estimated, unpriced, input_tokens, output_tokens,
             ROUND(list_cost, 9) AS list_cost, latency_ms FROM usage_daily ORDER BY 1, 2, 3, 4, 5`,
        )
        .all()
      expect(daily).toEqual(daysFromHours)
      checkpoint(db)
      db.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the request log filter', () => {
  test('lists the newest requests first, reading the provider index in order (no sort of every row of a provider)', () => {
    const db = openDatabase(':memory:')
    migrate(db)
    insertUsageEvents(db, [event(0, { at: 5 * HOUR, provider: 'glm' }), event(1, { at: 7 * HOUR, provider: 'glm' }), event(2, { at: 6 * HOUR, provider: 'openai' }), event(3, { at: 8 * HOUR, provider: 'glm' })])
    expect(listRequests(db, { provider: 'glm', limit: 2 }).map((row) => row.at)).toEqual([8 * HOUR, 7 * HOUR])
    expect(listRequests(db).map((row) => row.at)).toEqual([8 * HOUR, 7 * HOUR, 6 * HOUR, 5 * HOUR])
    const plan = db.query("EXPLAIN QUERY PLAN SELECT id FROM usage_events WHERE provider = 'glm' ORDER BY at DESC, id DESC LIMIT 50").all() as { detail: string }[]
    expect(plan.map((row) => row.detail).join('; ')).not.toContain('TEMP B-TREE FOR ORDER BY')
  })

  test('the error filter reads only the failed requests, from their own index, with or without a provider', () => {
    const db = openDatabase(':memory:')
    migrate(db)
    const events = Array.from({ length: 400 }, (_, index) =>
      event(index, { provider: index % 2 ? 'glm' : 'openai', status: index % 97 === 5 ? 502 : index === 300 ? 429 : 200 }),
    )
    insertUsageEvents(db, events)
    const failed = events.filter((row) => row.status >= 400).sort((a, b) => b.at - a.at)
    expect(listRequests(db, { outcome: 'error' }).map((row) => row.requestId)).toEqual(failed.map((row) => row.requestId))
    const glmFailed = failed.filter((row) => row.provider === 'glm')
    expect(glmFailed.length).toBeGreaterThan(0)
    expect(listRequests(db, { outcome: 'error', provider: 'glm' }).map((row) => row.requestId)).toEqual(glmFailed.map((row) => row.requestId))
    expect(listRequests(db, { outcome: 'ok', limit: 500 })).toHaveLength(400 - failed.length)
    // Only failed rows are in the index, so a success costs no extra B-tree insert.
    const indexed = db.query('SELECT COUNT(*) AS n FROM usage_events INDEXED BY usage_events_errors_at WHERE status >= 400').get() as { n: number }
    expect(indexed.n).toBe(failed.length)
    const plan = db.query("EXPLAIN QUERY PLAN SELECT id FROM usage_events WHERE status >= 400 ORDER BY at DESC, id DESC LIMIT 50").all() as { detail: string }[]
    expect(plan.map((row) => row.detail).join('; ')).toContain('usage_events_errors_at')
  })

  test('the model filter reads only the hours a matching name appears in, and finds what a scan of every row finds', () => {
    const db = openDatabase(':memory:')
    migrate(db)
    let seed = 11
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const events = Array.from({ length: 2000 }, (_, index) => {
      const served = random() < 0.02 ? 'kimi/K2-Rare' : ['oa/gpt-4.1', 'glm/glm-5', 'an/claude-sonnet-4-5'][index % 3]
      return event(index, {
        at: 100 * HOUR + Math.floor(random() * 48 * HOUR),
        model: random() < 0.03 ? null : served,
        requestedModel: random() < 0.05 ? 'fast-combo' : served,
        provider: ['openai', 'glm', 'anthropic'][index % 3],
        status: random() < 0.1 ? 502 : 200,
      })
    })
    for (let from = 0; from < events.length; from += 100) insertUsageEvents(db, events.slice(from, from + 100))
    const scan = (filter: { model: string; provider?: string; outcome?: 'ok' | 'error'; since?: number }, limit: number) =>
      (db
        .query(`SELECT request_id AS id FROM usage_events WHERE (model LIKE ?1 OR requested_model LIKE ?1)${filter.provider ? ` AND provider = '${filter.provider}'` : ''}${filter.outcome === 'ok' ? ' AND status < 400' : filter.outcome === 'error' ? ' AND status >= 400' : ''}${filter.since ? ` AND at >= ${filter.since}` : ''} ORDER BY at DESC, id DESC LIMIT ?2`)
        .all(`%${filter.model}%`, limit) as { id: string }[]).map((row) => row.id)
    const filters = [
      { model: 'rare' }, { model: 'K2-RARE' }, { model: 'combo' }, { model: 'gpt' }, { model: 'nothing-like-it' },
      { model: 'rare', provider: 'glm' }, { model: 'combo', outcome: 'ok' as const }, { model: 'glm', outcome: 'error' as const },
      { model: 'claude', since: 130 * HOUR + 1234 },
    ]
    for (const filter of filters) {
      for (const limit of [5, 50, 2000]) {
        expect(listRequests(db, { ...filter, limit }).map((row) => row.requestId)).toEqual(scan(filter, limit))
      }
    }
    expect(scan({ model: 'rare' }, 2000).length).toBeGreaterThan(10)
    // The names of an hour are noted once per batch, from both columns.
    const hours = db.query("SELECT COUNT(*) AS n FROM usage_model_hours WHERE model = 'fast-combo'").get() as { n: number }
    const expected = db.query(`SELECT COUNT(DISTINCT at / ${HOUR}) AS n FROM usage_events WHERE requested_model = 'fast-combo'`).get() as { n: number }
    expect(hours.n).toBe(expected.n)
    // An event built without a name (not through the recorder) is still stored.
    const bare = { ...event(5000, { at: 200 * HOUR }) } as Partial<UsageEvent>
    delete bare.requestedModel
    insertUsageEvents(db, [bare as UsageEvent])
    expect(db.query('SELECT COUNT(*) AS n FROM usage_events WHERE at = ?').get(200 * HOUR)).toEqual({ n: 1 })
  })

  test('the requests API pages newest first by time through its filters (a model one by the hours it appears in), each row once, rows recorded out of order included', () => {
    const db = openDatabase(':memory:')
    migrate(db)
    // Batches arrive out of time order, and some rows share a timestamp.
    const events = Array.from({ length: 90 }, (_, index) =>
      event(index, {
        // Spread over three hours, so a model filter walks hours.
        at: 10 * HOUR + ((index * 37) % 90) * 40_000 * 3 - (index % 9 === 0 ? 1000 : 0),
        provider: index % 3 ? 'glm' : 'openai',
        status: index % 4 ? 200 : 500,
        model: index % 5 === 0 ? 'oa/gpt-4.1-mini' : 'oa/gpt-4.1',
      }),
    )
    for (let from = 0; from < events.length; from += 16) insertUsageEvents(db, events.slice(from, from + 16))
    const filters: { provider?: string; outcome?: 'ok' | 'error'; model?: string }[] = [
      {}, { provider: 'glm' }, { outcome: 'error' }, { provider: 'openai', outcome: 'ok' }, { model: 'oa/gpt-4.1-mini' }, { model: 'oa/gpt-4.1', provider: 'glm' },
    ]
    for (const filter of filters) {
      const seen: Record<string, unknown>[] = []
      let before: number | undefined
      for (;;) {
        const page = listUsageEvents(db, { ...filter, limit: 7, before })
        seen.push(...page)
        if (page.length < 7) break
        before = page.at(-1)!.id as number
      }
      const want = db
        .query(`SELECT id FROM usage_events WHERE 1 = 1${filter.provider ? ` AND provider = '${filter.provider}'` : ''}${filter.model ? ` AND model = '${filter.model}'` : ''}${filter.outcome ? (filter.outcome === 'error' ? ' AND status >= 400' : ' AND status < 400') : ''} ORDER BY at DESC, id DESC`)
        .all()
        .map((row) => (row as { id: number }).id)
      expect(want.length).toBeGreaterThan(7)
      expect(seen.map((row) => row.id)).toEqual(want)
    }
  })

  test('lists the providers of the hours the log still holds, from the rollups', () => {
    const db = openDatabase(':memory:')
    migrate(db)
    expect(listUsageProviders(db)).toEqual([])
    insertUsageEvents(db, [
      event(0, { at: 2 * HOUR, provider: 'gone' }),
      event(1, { at: 30 * HOUR, provider: 'openai' }),
      event(2, { at: 31 * HOUR, provider: 'anthropic' }),
      event(3, { at: 31 * HOUR + 5, provider: null, connectionId: null, model: null }),
    ])
    expect(listUsageProviders(db)).toEqual(['anthropic', 'gone', 'openai'])
    // Pruned raw rows take their provider out of the filter; the rollups keep the totals.
    db.exec(`DELETE FROM usage_events WHERE at < ${10 * HOUR}`)
    expect(listUsageProviders(db)).toEqual(['anthropic', 'openai'])
    expect(db.query("SELECT COUNT(*) AS n FROM usage_hourly WHERE provider = 'gone'").get()).toEqual({ n: 1 })
  })
})

describe('dashboard aggregates read whole days and hours from the rollups', () => {
  // The raw-row queries the aggregates replaced: the rollups must give the same answers.
  const rawCost = `COALESCE(SUM(list_cost), 0) AS listCost, COALESCE(SUM(actual_cost), 0) AS actualCost,
      COALESCE(SUM(list_cost IS NULL AND COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) > 0), 0) AS unpriced`
  const raw = {
    totals: `SELECT COUNT(*) AS requests, COALESCE(SUM(status >= 400), 0) AS errors, COALESCE(SUM(input_tokens), 0) AS inputTokens,
      COALESCE(SUM(output_tokens), 0) AS outputTokens, COALESCE(SUM(cache_read_tokens), 0) AS cacheReadTokens,
      COALESCE(SUM(cache_write_tokens), 0) AS cacheWriteTokens, COALESCE(AVG(latency_ms), 0) AS latency, ${rawCost} FROM usage_events WHERE at >= ?`,
    group: (column: string) => `SELECT ${column} AS key, COUNT(*) AS requests, COALESCE(SUM(status >= 400), 0) AS errors,
      COALESCE(SUM(input_tokens), 0) AS inputTokens, COALESCE(SUM(output_tokens), 0) AS outputTokens, ${rawCost} FROM usage_events WHERE at >= ? GROUP BY ${column}`,
  }
  /** Costs are summed in another order than the raw rows': equal to a billionth of a dollar. */
  const expectSameCost = (got: { listCost: number; actualCost: number; unpriced: number }, want: { listCost: number; actualCost: number; unpriced: number }) => {
    expect(got.unpriced).toBe(want.unpriced)
    expect(got.listCost).toBeCloseTo(want.listCost, 9)
    expect(got.actualCost).toBeCloseTo(want.actualCost, 9)
  }
  const seeded = () => {
    const db = openDatabase(':memory:')
    migrate(db)
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const events: UsageEvent[] = []
    for (let index = 0; index < 3000; index++) {
      const none = random() < 0.05
      events.push(event(index, {
        at: 100 * HOUR + Math.floor(random() * 72 * HOUR),
        provider: none ? null : ['openai', 'anthropic', 'glm'][index % 3],
        connectionId: none ? null : 1 + (index % 4),
        model: none ? null : ['a/x', 'b/y'][index % 2],
        apiKeyId: random() < 0.5 ? null : 1 + (index % 2),
        status: random() < 0.1 ? 502 : 200,
        inputTokens: random() < 0.1 ? undefined : Math.floor(random() * 1000),
        outputTokens: Math.floor(random() * 500),
        cacheReadTokens: Math.floor(random() * 50),
        latencyMs: Math.floor(random() * 3000),
        // Some models have no known price; connection 2 is a subscription, so it costs nothing.
        listCost: random() < 0.2 ? undefined : Math.floor(random() * 1e6) / 1e9,
      }))
      const last = events[events.length - 1]
      last.actualCost = last.listCost === undefined ? undefined : last.connectionId === 2 ? 0 : last.listCost
    }
    for (let from = 0; from < events.length; from += 128) insertUsageEvents(db, events.slice(from, from + 128))
    return db
  }
  const byKey = <T extends { key: unknown }>(rows: T[]) => new Map(rows.map((row) => [row.key, row]))

  test('totals, breakdowns, per-model and per-connection usage from a window that starts mid-hour', () => {
    const db = seeded()
    for (const since of [100 * HOUR, 117 * HOUR + 1234, 160 * HOUR + 59 * 60_000, 171 * HOUR + 1]) {
      const want = db.query(raw.totals).get(since) as Record<string, number>
      const { listCost, actualCost, unpriced, ...got } = usageTotals(db, since)
      expect(got).toEqual({ requests: want.requests, errors: want.errors, inputTokens: want.inputTokens, outputTokens: want.outputTokens, cacheReadTokens: want.cacheReadTokens, cacheWriteTokens: want.cacheWriteTokens, averageLatencyMs: Math.round(want.latency) })
      expect(want.unpriced).toBeGreaterThan(0)
      expect(want.actualCost).toBeLessThan(want.listCost)
      expectSameCost({ listCost, actualCost, unpriced }, want as never)
      for (const [by, column] of [['provider', 'provider'], ['connection', 'connection_id'], ['key', 'api_key_id'], ['model', 'model']] as const) {
        const expected = byKey(db.query(raw.group(column)).all(since) as { key: unknown; requests: number; listCost: number; actualCost: number; unpriced: number }[])
        const actual = byKey(usageBreakdown(db, since, by, 100))
        expect(actual.size).toBe(expected.size)
        for (const [key, { listCost, actualCost, unpriced, ...row }] of expected) {
          expect(actual.get(key)).toMatchObject(row)
          expectSameCost(actual.get(key)!, { listCost, actualCost, unpriced })
        }
      }
      const models = usageByModel(db, since)
      expect(models.reduce((sum, row) => sum + row.requests, 0)).toBe(want.requests)
      const connections = usageByConnection(db, since)
      const perConnection = db.query('SELECT connection_id AS key, COUNT(*) AS requests, MAX(at) AS lastAt FROM usage_events WHERE at >= ? AND connection_id IS NOT NULL GROUP BY connection_id').all(since) as { key: number; requests: number; lastAt: number }[]
      expect(connections.size).toBe(perConnection.length)
      for (const row of perConnection) expect(connections.get(row.key)).toMatchObject({ requests: row.requests, lastAt: row.lastAt })
    }
  })

  test('API sums and breakdowns read whole days from the daily rollups and give what the hours give', () => {
    const db = seeded()
    const fromHours = (from: number, to: number, where = '') =>
      db.query(`SELECT COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(errors), 0) AS errors, COALESCE(SUM(input_tokens), 0) AS inputTokens,
        COALESCE(SUM(latency_ms), 0) AS latencyMs FROM usage_hourly WHERE hour >= ? AND hour < ?${where}`).get(from, to) as Record<string, number>
    const edges = [96 * HOUR, 100 * HOUR, 119 * HOUR + 1, 120 * HOUR, 143 * HOUR, 144 * HOUR - 1, 150 * HOUR + 30 * 60_000, 168 * HOUR, 173 * HOUR]
    for (const from of edges) {
      for (const to of edges.filter((edge) => edge > from)) {
        expect(sumRolledUpUsage(db, from, to)).toMatchObject(fromHours(from, to))
        expect(sumRolledUpUsage(db, from, to, { provider: 'glm', apiKeyId: 2 })).toMatchObject(fromHours(from, to, " AND provider = 'glm' AND api_key_id = 2"))
        const byModel = breakdownUsage(db, from, to, 'model')
        for (const model of ['a/x', 'b/y']) {
          const want = fromHours(from, to, ` AND model = '${model}'`)
          // A model row per provider that served it.
          expect(byModel.filter((row) => row.id === model).reduce((sum, row) => sum + row.requests, 0)).toBe(want.requests)
        }
      }
    }
  })

  test('a series from a whole hour matches the raw rows bucket by bucket (days from the daily rollups when whole)', () => {
    const db = seeded()
    for (const [bucket, since] of [[HOUR, 96 * HOUR], [6 * HOUR, 96 * HOUR], [24 * HOUR, 96 * HOUR], [24 * HOUR, 98 * HOUR], [48 * HOUR, 96 * HOUR]]) {
      const until = since + 4 * 24 * HOUR
      const series = usageSeries(db, since, until, bucket)
      const want = db.query('SELECT (at - ?1) / ?2 AS slot, COUNT(*) AS requests, SUM(status >= 400) AS errors FROM usage_events WHERE at >= ?1 AND at < ?3 GROUP BY slot').all(since, bucket, until) as { slot: number; requests: number; errors: number }[]
      for (const row of want) expect(series[Math.floor(row.slot)]).toMatchObject({ requests: row.requests, errors: row.errors })
      expect(series.reduce((sum, entry) => sum + entry.requests, 0)).toBe(3000)
    }
  })
})
