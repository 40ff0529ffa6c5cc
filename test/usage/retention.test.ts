import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildSeries } from '../../src/services/usage-report'
import { ensureIncrementalVacuum, pruneUsage, pruneUsageGradually } from '../../src/services/usage-retention'
import { windowBounds } from '../../src/services/usage-windows'
import { openDatabase, type Database } from '../../src/store/db'
import { migrate } from '../../src/store/migrate'
import { insertAttemptEvents, insertUsageEvents, type UsageEvent } from '../../src/store/usage'
import { breakdownUsage, listUsageEvents, sumRolledUpUsage, sumUsage } from '../../src/store/usage-queries'

// A year of heavy use: 500,000 requests (one a minute, around the clock) over 4 connections, 3 models, 2 keys.
const EVENTS = 500_000
const START = Date.parse('2025-01-01T00:00:00Z')
const YEAR = 365 * 86_400_000
const STEP = Math.floor(YEAR / EVENTS)
const NOW = START + YEAR
const timings: Record<string, number> = {}

let dir: string
let db: Database
const path = () => join(dir, 'modelmux.db')
const fileSize = () => statSync(path()).size + (statSync(`${path()}-wal`, { throwIfNoEntry: false })?.size ?? 0)

function timed<T>(name: string, run: () => T): T {
  const started = performance.now()
  const result = run()
  timings[name] = Math.round(performance.now() - started)
  return result
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelmux-retention-'))
  db = openDatabase(path())
  migrate(db)
  ensureIncrementalVacuum(db)
  const events: UsageEvent[] = []
  for (let i = 0; i < EVENTS; i++) {
    events.push({
      at: START + i * STEP, requestId: `request-${i}`, inboundFormat: 'anthropic-messages', requestedModel: 'stack', combo: 'stack',
      model: ['cc/claude-sonnet-4-5', 'oai/gpt-4.1', 'glm/glm-4.7'][i % 3], provider: ['anthropic', 'openai', 'glm'][i % 3], connectionId: 1 + (i % 4),
      apiKeyId: i % 5 === 0 ? null : 1, status: i % 50 === 0 ? 529 : 200, stream: true, attempts: 1, inputTokens: 12_000, outputTokens: 800,
      cacheReadTokens: 9_000, cacheWriteTokens: 1_000, reasoningTokens: 100, latencyMs: 4_000, ttfbMs: 700, listCost: 0.01, actualCost: i % 3 === 0 ? 0 : 0.01,
    })
  }
  timed('insert 500k usage rows + rollups', () => insertUsageEvents(db, events))
  timed('insert 50k attempt rows', () =>
    insertAttemptEvents(db, events.filter((_, i) => i % 10 === 0).map((e) => ({ at: e.at, requestId: e.requestId, connectionId: e.connectionId, provider: e.provider!, model: e.model!, status: 429, failureClass: 'rate-limit', latencyMs: 50 }))),
  )
}, 120_000)

afterAll(() => {
  console.log('usage retention timings (ms):', timings)
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

test('queries over a year of events stay fast', () => {
  const month = windowBounds('monthly', NOW - 1, { timeZone: 'America/New_York', resetHour: 0, weekStartsOn: 1, monthResetDay: 1 })
  const monthly = timed('monthly window of one connection (budget check)', () => sumUsage(db, month.start, NOW, { connectionId: 2 }))
  expect(monthly.requests).toBeGreaterThan(10_000)
  const rolling = timed('5-hour window of one provider', () => sumUsage(db, NOW - 5 * 3_600_000, NOW, { provider: 'openai' }))
  expect(rolling.requests).toBeGreaterThan(50)
  const year = timed('year totals', () => sumUsage(db, START, NOW + 1))
  expect(year.requests).toBe(EVENTS)
  expect(year.inputTokens).toBe(EVENTS * 12_000)
  const series = timed('daily series over a year in Asia/Kolkata', () => buildSeries(db, { from: START, to: NOW }, 'day', 'Asia/Kolkata'))
  expect(series.length).toBe(366) // the local days touched by a UTC year in UTC+5:30
  expect(series.reduce((sum, day) => sum + day.requests, 0)).toBe(EVENTS)
  // In UTC, days and months read the daily rollups: the same series as a UTC+0 zone read hour by hour gives.
  for (const granularity of ['day', 'month'] as const) {
    const range = { from: START + 5 * 3_600_000 + 1234, to: NOW - 7 * 3_600_000 - 99 }
    const utc = timed(`${granularity} series over a year in UTC`, () => buildSeries(db, range, granularity, 'UTC'))
    // Costs are sums of floats, added in another order: equal to the cent's billionth.
    const rounded = (series: ReturnType<typeof buildSeries>) =>
      series.map((bucket) => ({ ...bucket, listCost: Math.round(bucket.listCost * 1e9), actualCost: Math.round(bucket.actualCost * 1e9) }))
    expect(rounded(utc)).toEqual(rounded(buildSeries(db, range, granularity, 'Etc/GMT')))
    expect(utc.length).toBeGreaterThan(granularity === 'day' ? 360 : 11)
  }
  const models = timed('breakdown by model over a year', () => breakdownUsage(db, START, NOW + 1, 'model'))
  expect(models).toHaveLength(3)
  const page = timed('recent requests page', () => listUsageEvents(db, { limit: 50 }))
  expect(page).toHaveLength(50)
  // Generous bounds so a slow machine passes; the timings are printed after the suite for the record.
  const slow = Object.entries(timings).filter(([name, ms]) => !name.startsWith('insert') && ms > 3_000)
  expect(slow).toEqual([])
})

test('pruning raw events keeps the rollups whole and gives the space back', () => {
  const before = sumRolledUpUsage(db, 0, NOW + 1)
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  const sizeBefore = fileSize()
  const result = timed('prune to 30 days + incremental vacuum', () => pruneUsage(db, { usageDays: 30, requestLogDays: 7 }, NOW))
  const left = (db.query('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM usage_events').get() as { n: number; oldest: number })
  expect(left.oldest).toBeGreaterThanOrEqual(NOW - 30 * 86_400_000)
  expect(left.n).toBeLessThan(EVENTS * 0.09)
  expect(result.deleted).toBeGreaterThan(EVENTS * 0.9)
  expect(sumRolledUpUsage(db, 0, NOW + 1)).toEqual(before) // rollups are kept forever
  const sizeAfter = fileSize()
  timings['file size before (MB)'] = Math.round(sizeBefore / 1e6)
  timings['file size after (MB)'] = Math.round(sizeAfter / 1e6)
  expect(sizeAfter).toBeLessThan(sizeBefore * 0.6)
  // Pruning again finds nothing to do.
  expect(pruneUsage(db, { usageDays: 30 }, NOW).deleted).toBe(0)
}, 60_000)

test('the scheduled prune works in slices: requests are served between them, and it removes what a one-shot prune removes', async () => {
  const local = openDatabase(join(dir, 'gradual.db'))
  migrate(local)
  ensureIncrementalVacuum(local)
  const rows: UsageEvent[] = Array.from({ length: 20_000 }, (_, i) => ({
    at: START + i * 60_000, requestId: `r-${i}`, inboundFormat: 'openai-chat', requestedModel: 'm', model: 'oai/gpt-4.1', provider: 'openai',
    connectionId: 1, apiKeyId: null, status: 200, stream: false, attempts: 1, inputTokens: 10, outputTokens: 10, latencyMs: 5,
  }))
  insertUsageEvents(local, rows)
  const now = START + 20_000 * 60_000
  let turns = 0
  const ticker = setInterval(() => turns++, 0)
  const result = await pruneUsageGradually(local, { usageDays: 3 }, now)
  clearInterval(ticker)
  expect(result.deleted).toBe(20_000 - 3 * 24 * 60)
  expect((local.query('SELECT COUNT(*) AS n FROM usage_events').get() as { n: number }).n).toBe(3 * 24 * 60)
  // The model filter's hour index keeps exactly the hours that still hold a raw row.
  const indexedHours = (local.query("SELECT hour FROM usage_model_hours WHERE model = 'oai/gpt-4.1' ORDER BY hour").all() as { hour: number }[]).map((row) => row.hour)
  const rawHours = (local.query('SELECT DISTINCT (at / 3600000) * 3600000 AS hour FROM usage_events ORDER BY hour').all() as { hour: number }[]).map((row) => row.hour)
  expect(indexedHours).toEqual(rawHours)
  expect(turns).toBeGreaterThan(5) // the event loop ran while the prune was under way
  expect(result.freedPages).toBeGreaterThan(0)
  expect((local.query('PRAGMA freelist_count').get() as { freelist_count: number }).freelist_count).toBe(0)
  // Stopped, it stops between slices and leaves the rest for the next run.
  insertUsageEvents(local, rows.slice(0, 5_000).map((row) => ({ ...row, requestId: `again-${row.requestId}` })))
  const early = await pruneUsageGradually(local, { usageDays: 3 }, now, () => true)
  expect(early.deleted).toBe(1_000)
  expect(pruneUsage(local, { usageDays: 3 }, now).deleted).toBe(4_000)
  local.close()
})

test('a new database starts with incremental auto-vacuum, so the retention job never rewrites the whole file', () => {
  const fresh = openDatabase(join(dir, 'fresh.db'))
  migrate(fresh)
  expect((fresh.query('PRAGMA auto_vacuum').get() as { auto_vacuum: number }).auto_vacuum).toBe(2)
  expect(ensureIncrementalVacuum(fresh)).toBe(false)
  fresh.close()
})
