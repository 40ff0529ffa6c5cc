import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileStamp } from '../core/ids'
import type { Database } from 'bun:sqlite'
import type { ComboStrategy } from './combos'
import { collectByHour, hoursWithModel } from './model-hours'

/** Totals over a time window of `usage_events`. */
export interface UsageTotals extends UsageCost {
  requests: number
  errors: number
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  averageLatencyMs: number
}

/** What requests cost as recorded (priced when they were made, at their connection's tier), and how many had no known price. */
export interface UsageCost {
  listCost: number
  actualCost: number
  /** Requests that used tokens but had no known list price (not counted in the costs). */
  unpriced: number
}

/** One bucket of the usage time series. */
export interface UsageBucket {
  start: number
  requests: number
  errors: number
  tokens: number
  /** What the bucket's requests cost, as recorded (at each connection's tier). */
  cost: number
}

/** One row of a usage breakdown (by model, provider, connection or key). */
export interface UsageGroup extends UsageCost {
  key: string | number | null
  provider: string | null
  model: string | null
  requests: number
  errors: number
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
}

/** A recorded client request as the Usage and Logs pages show it. */
export interface RequestRow {
  id: number
  at: number
  requestId: string
  inboundFormat: string
  requestedModel: string | null
  model: string | null
  provider: string | null
  connectionId: number | null
  apiKeyId: number | null
  status: number
  stream: boolean
  attempts: number
  inputTokens: number | null
  outputTokens: number | null
  cacheReadTokens: number | null
  cacheWriteTokens: number | null
  latencyMs: number | null
  ttfbMs: number | null
  error: string | null
  /** What it cost at list price and at its connection's tier; null when the model had no known price. */
  listCost: number | null
  actualCost: number | null
}

/** One upstream try of a request. */
export interface AttemptRow {
  requestId: string
  at: number
  connectionId: number | null
  provider: string
  model: string
  status: number
  failureClass: string | null
  reason: string | null
  latencyMs: number
}

/** Filters of the request log. */
export interface RequestFilter {
  since?: number
  model?: string
  provider?: string
  /** `ok` (status < 400) or `error`. */
  outcome?: 'ok' | 'error'
  limit?: number
}

// The same expression as the partial index usage_events_errors_at (migration 005), so SQLite can use it.
const isError = 'status >= 400'
const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

const rollupColumns = `provider, connection_id, model, api_key_id, requests, errors, input_tokens, output_tokens,
  cache_read_tokens, cache_write_tokens, unpriced, list_cost, actual_cost, latency_ms`

/**
 * Usage rows from `since` on, as one SQL source: whole days from the daily rollups, the whole hours before the
 * first whole day from the hourly ones, the partial first hour from raw rows. The rollups are written in the same
 * transaction as the raw rows, so they hold every one of them. A page that polls these aggregates then reads a few
 * rows per day instead of every request: over a million requests the raw scans took 150–670 ms each, the hourly
 * ones up to 27 ms, blocking the proxy. Keys are as the rollups keep them ('' and 0 for none); bind
 * {@link windowBounds} as ?1, ?2 and ?3.
 */
const usageSource = `(
  SELECT day AS at, ${rollupColumns} FROM usage_daily WHERE day >= ?3
  UNION ALL
  SELECT hour AS at, ${rollupColumns} FROM usage_hourly WHERE hour >= ?2 AND hour < ?3
  UNION ALL
  SELECT at, COALESCE(provider, ''), COALESCE(connection_id, 0), COALESCE(model, ''), COALESCE(api_key_id, 0), 1, ${isError},
    COALESCE(input_tokens, 0), COALESCE(output_tokens, 0), COALESCE(cache_read_tokens, 0), COALESCE(cache_write_tokens, 0),
    list_cost IS NULL AND COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) > 0, COALESCE(list_cost, 0), COALESCE(actual_cost, 0),
    COALESCE(latency_ms, 0) FROM usage_events WHERE at >= ?1 AND at < ?2
)`

/**
 * The bounds of {@link usageSource} for a window from `since`: `since`, its first whole hour, and the first whole
 * day from there — or no day at all with `days: false`, for a series whose buckets are not whole days.
 */
function windowBounds(since: number, days = true): [number, number, number] {
  const hour = Math.ceil(since / HOUR_MS) * HOUR_MS
  return [since, hour, days ? Math.ceil(hour / DAY_MS) * DAY_MS : Number.MAX_SAFE_INTEGER]
}

const sums = `COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(errors), 0) AS errors, COALESCE(SUM(input_tokens), 0) AS inputTokens,
  COALESCE(SUM(output_tokens), 0) AS outputTokens, COALESCE(SUM(cache_read_tokens), 0) AS cacheReadTokens,
  COALESCE(SUM(cache_write_tokens), 0) AS cacheWriteTokens, COALESCE(SUM(unpriced), 0) AS unpriced, COALESCE(SUM(list_cost), 0) AS listCost,
  COALESCE(SUM(actual_cost), 0) AS actualCost`

/** Requests, errors, tokens and latency since `since` (ms). */
export function usageTotals(db: Database, since: number): UsageTotals {
  const row = db
    .query(`SELECT ${sums}, COALESCE(SUM(latency_ms), 0) AS latency FROM ${usageSource}`)
    .get(...windowBounds(since)) as Omit<UsageTotals, 'averageLatencyMs'> & { latency: number }
  const { latency, ...totals } = row
  return { ...totals, averageLatencyMs: totals.requests > 0 ? Math.round(latency / totals.requests) : 0 }
}

/**
 * Requests, errors and tokens per bucket of `bucketMs`, from `since` to `until`, empty buckets included. A rolled-up
 * hour or day counts in the bucket its start falls in: buckets that are whole hours from a whole hour are exact
 * (days are read only when the buckets are whole days from a whole day).
 */
export function usageSeries(db: Database, since: number, until: number, bucketMs: number): UsageBucket[] {
  const wholeDays = since % DAY_MS === 0 && bucketMs % DAY_MS === 0
  const rows = db
    .query(
      `SELECT (at - ?1) / ?4 AS slot, SUM(requests) AS requests, SUM(errors) AS errors, SUM(input_tokens + output_tokens) AS tokens,
       SUM(actual_cost) AS cost FROM ${usageSource} WHERE at < ?5 GROUP BY slot`,
    )
    .all(...windowBounds(since, wholeDays), bucketMs, until) as { slot: number; requests: number; errors: number; tokens: number; cost: number }[]
  const bySlot = new Map(rows.map((row) => [Math.floor(row.slot), row]))
  const count = Math.max(1, Math.ceil((until - since) / bucketMs))
  return Array.from({ length: count }, (_, slot) => {
    const row = bySlot.get(slot)
    return { start: since + slot * bucketMs, requests: row?.requests ?? 0, errors: row?.errors ?? 0, tokens: row?.tokens ?? 0, cost: row?.cost ?? 0 }
  })
}

// Each grouping column, with the rollups' '' or 0 turned back into "none".
const groupColumns = { model: `NULLIF(model, '')`, provider: `NULLIF(provider, '')`, connection: 'NULLIF(connection_id, 0)', key: 'NULLIF(api_key_id, 0)' } as const

/** Usage since `since` grouped by model, provider, connection or client key, busiest first. */
export function usageBreakdown(db: Database, since: number, by: keyof typeof groupColumns, limit = 20): UsageGroup[] {
  const column = groupColumns[by]
  return db
    .query(
      `SELECT ${column} AS key, MIN(NULLIF(provider, '')) AS provider, MIN(NULLIF(model, '')) AS model, ${sums}
       FROM ${usageSource} GROUP BY key ORDER BY requests DESC LIMIT ?4`,
    )
    .all(...windowBounds(since), limit) as UsageGroup[]
}

/** Usage since `since` per model and provider, for pricing. */
export function usageByModel(db: Database, since: number): UsageGroup[] {
  return db
    .query(
      `SELECT NULLIF(model, '') AS key, NULLIF(provider, '') AS provider, NULLIF(model, '') AS model, ${sums}
       FROM ${usageSource} GROUP BY provider, model ORDER BY requests DESC`,
    )
    .all(...windowBounds(since)) as UsageGroup[]
}

const requestColumns = `id, at, request_id AS requestId, inbound_format AS inboundFormat, requested_model AS requestedModel,
  model, provider, connection_id AS connectionId, api_key_id AS apiKeyId, status, stream, attempts,
  input_tokens AS inputTokens, output_tokens AS outputTokens, cache_read_tokens AS cacheReadTokens,
  cache_write_tokens AS cacheWriteTokens, latency_ms AS latencyMs, ttfb_ms AS ttfbMs, error, list_cost AS listCost, actual_cost AS actualCost`

/**
 * Recorded requests, newest first, filtered; ordered by time so a provider or time filter reads its index in order.
 * A model filter (a substring of the requested or served model) reads only the hours in which a matching name
 * appears, newest first, and stops once it has enough (unless it looks for failures, which have an index).
 */
export function listRequests(db: Database, filter: RequestFilter = {}): RequestRow[] {
  const limit = filter.limit ?? 50
  // The failed requests' own index narrows more than the hours do.
  if (!filter.model || filter.outcome === 'error') return queryRequests(db, filter, limit)
  const hours = hoursWithModel(db, { like: `%${filter.model}%` }, filter.since)
  return collectByHour(hours, limit, (from, to, wanted) => queryRequests(db, filter, wanted, [from, to]))
}

/** One query of {@link listRequests}, optionally within [window[0], window[1]). */
function queryRequests(db: Database, filter: RequestFilter, limit: number, window?: [number, number]): RequestRow[] {
  const where: string[] = []
  const values: (string | number)[] = []
  if (filter.since !== undefined) {
    where.push('at >= ?')
    values.push(filter.since)
  }
  if (window) {
    where.push('at >= ? AND at < ?')
    values.push(...window)
  }
  if (filter.model) {
    where.push('(model LIKE ? OR requested_model LIKE ?)')
    values.push(`%${filter.model}%`, `%${filter.model}%`)
  }
  if (filter.provider) {
    where.push('provider = ?')
    values.push(filter.provider)
  }
  if (filter.outcome === 'ok') where.push('status < 400')
  if (filter.outcome === 'error') where.push(isError)
  // Failed requests have their own index (migration 005); with a provider filter as well, SQLite would
  // otherwise walk that provider's rows looking for the few that failed.
  const source = filter.outcome === 'error' ? 'usage_events INDEXED BY usage_events_errors_at' : 'usage_events'
  const sql = `SELECT ${requestColumns} FROM ${source} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`
  const rows = db.query(sql).all(...values, limit) as (Omit<RequestRow, 'stream'> & { stream: number })[]
  return rows.map((row) => ({ ...row, stream: row.stream === 1 }))
}

/** One recorded request by its id, if it was written. */
export function requestById(db: Database, requestId: string): RequestRow | undefined {
  const row = db.query(`SELECT ${requestColumns} FROM usage_events WHERE request_id = ? LIMIT 1`).get(requestId) as (Omit<RequestRow, 'stream'> & { stream: number }) | null
  return row ? { ...row, stream: row.stream === 1 } : undefined
}

/**
 * The requested and served model names of the requests the log still holds, for the model filter's suggestions
 * (from `usage_model_hours`, which keeps the hours that still have raw rows); at most `limit`.
 */
export function listLoggedModels(db: Database, limit = 200): string[] {
  return (db.query('SELECT DISTINCT model FROM usage_model_hours ORDER BY model LIMIT ?').values(limit) as [string][]).map(([model]) => model)
}

/** The attempts of the given requests, grouped by request id, each in order. */
export function attemptsFor(db: Database, requestIds: readonly string[]): Map<string, AttemptRow[]> {
  const out = new Map<string, AttemptRow[]>()
  if (requestIds.length === 0) return out
  const rows = db
    .query(
      `SELECT request_id AS requestId, at, connection_id AS connectionId, provider, model, status, failure_class AS failureClass,
       reason, latency_ms AS latencyMs FROM attempts WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    )
    .all(JSON.stringify(requestIds)) as AttemptRow[]
  for (const row of rows) out.set(row.requestId, [...(out.get(row.requestId) ?? []), row])
  return out
}

/** Per connection since `since`: requests, errors, tokens, cost (as recorded) and the last request time (for the Quota page). */
export function usageByConnection(db: Database, since: number): Map<number, { requests: number; errors: number; tokens: number; cost: number; lastAt: number }> {
  const rows = db
    .query(
      `SELECT connection_id AS id, SUM(requests) AS requests, SUM(errors) AS errors, SUM(input_tokens + output_tokens) AS tokens, SUM(actual_cost) AS cost
       FROM ${usageSource} WHERE connection_id != 0 GROUP BY connection_id`,
    )
    .all(...windowBounds(since)) as { id: number; requests: number; errors: number; tokens: number; cost: number }[]
  // The exact last request of each connection, one index lookup apiece.
  const last = db.query('SELECT MAX(at) AS at FROM usage_events WHERE connection_id = ?')
  return new Map(rows.map(({ id, ...rest }) => [id, { ...rest, lastAt: (last.get(id) as { at: number | null }).at ?? since }]))
}

/**
 * The providers that appear in the request log, for its filter. Read from the hourly rollups of the hours the
 * log still holds (the oldest raw row found through the time index): a scan of the raw rows took about 40 ms per
 * million, on every page view.
 */
export function listUsageProviders(db: Database): string[] {
  const oldest = (db.query('SELECT MIN(at) AS at FROM usage_events').get() as { at: number | null }).at
  if (oldest === null) return []
  const fromHour = Math.floor(oldest / 3_600_000) * 3_600_000
  const rows = db.query("SELECT DISTINCT provider FROM usage_hourly WHERE provider != '' AND hour >= ? ORDER BY provider").all(fromHour) as { provider: string }[]
  return rows.map((row) => row.provider)
}

/** Renames a connection; returns whether one existed. */
export function renameConnection(db: Database, id: number, name: string, now: number): boolean {
  return db.query('UPDATE connections SET name = ?, updated_at = ? WHERE id = ?').run(name, now, id).changes > 0
}

/** Sets the priorities of connections in one transaction (lower is tried first). */
export function setConnectionPriorities(db: Database, priorities: ReadonlyMap<number, number>, now: number): void {
  const update = db.query('UPDATE connections SET priority = ?, updated_at = ? WHERE id = ?')
  db.transaction(() => {
    for (const [id, priority] of priorities) update.run(priority, now, id)
  })()
}

/** Replaces a combo's name and models by id; returns whether it existed. */
export function updateCombo(db: Database, id: number, name: string, models: readonly string[], now: number, strategy: ComboStrategy = 'order'): boolean {
  return db.query('UPDATE combos SET name = ?, models = ?, strategy = ?, updated_at = ? WHERE id = ?').run(name, JSON.stringify(models), strategy, now, id).changes > 0
}

/** Deletes a combo; returns whether it existed. */
export function deleteCombo(db: Database, id: number): boolean {
  return db.query('DELETE FROM combos WHERE id = ?').run(id).changes > 0
}

/** Deletes an alias; returns whether it existed. */
export function deleteAlias(db: Database, name: string): boolean {
  return db.query('DELETE FROM aliases WHERE name = ?').run(name).changes > 0
}

/** The directory of the live database file; undefined for a database in memory. */
export function databaseDirectory(db: Database): string | undefined {
  const main = (db.query('PRAGMA database_list').all() as { name: string; file: string }[]).find((row) => row.name === 'main')
  return main?.file ? dirname(main.file) : undefined
}

/**
 * Keeps a consistent copy of the whole database as `<directory>/<label>-<time>.db`, the directory being the live
 * database's (else `fallbackDirectory`), replacing one of the same name; returns its path, or undefined when there is
 * no directory to put it in.
 */
export function keepCopy(db: Database, label: string, now: number, fallbackDirectory?: string): string | undefined {
  const directory = databaseDirectory(db) ?? fallbackDirectory
  if (!directory) return undefined
  const path = join(directory, `${label}-${fileStamp(now)}.db`)
  rmSync(path, { force: true })
  backupDatabase(db, path)
  return path
}

/** Writes a consistent copy of the whole database to `path` (which must not exist) with `VACUUM INTO`. */
export function backupDatabase(db: Database, path: string): void {
  db.query('VACUUM INTO ?').run(path)
}
