import type { Database, SQLQueryBindings } from 'bun:sqlite'
import { collectByHour, hoursWithModel } from './model-hours'
import { rollupSumColumns } from './usage'

/** Summed usage over some span. Tokens follow the IR: cache tokens are inside input, reasoning inside output. */
export interface UsageTotals {
  requests: number
  errors: number
  estimated: number
  /** Requests that used tokens on a model without a known price. */
  unpriced: number
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  reasoningTokens: number
  listCost: number
  actualCost: number
  latencyMs: number
}

/** Narrows a query to one provider, connection, model or client key (0 = requests without a key). */
export interface UsageFilter {
  provider?: string
  connectionId?: number
  model?: string
  apiKeyId?: number
}

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

const hourlySums = `COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(errors), 0) AS errors, COALESCE(SUM(estimated), 0) AS estimated,
  COALESCE(SUM(unpriced), 0) AS unpriced, COALESCE(SUM(input_tokens), 0) AS inputTokens, COALESCE(SUM(output_tokens), 0) AS outputTokens,
  COALESCE(SUM(cache_read_tokens), 0) AS cacheReadTokens, COALESCE(SUM(cache_write_tokens), 0) AS cacheWriteTokens,
  COALESCE(SUM(reasoning_tokens), 0) AS reasoningTokens, COALESCE(SUM(list_cost), 0) AS listCost, COALESCE(SUM(actual_cost), 0) AS actualCost,
  COALESCE(SUM(latency_ms), 0) AS latencyMs`

const rawSums = `COUNT(*) AS requests, COALESCE(SUM(status >= 400), 0) AS errors, COALESCE(SUM(estimated), 0) AS estimated,
  COALESCE(SUM(list_cost IS NULL AND COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) > 0), 0) AS unpriced,
  COALESCE(SUM(input_tokens), 0) AS inputTokens, COALESCE(SUM(output_tokens), 0) AS outputTokens,
  COALESCE(SUM(cache_read_tokens), 0) AS cacheReadTokens, COALESCE(SUM(cache_write_tokens), 0) AS cacheWriteTokens,
  COALESCE(SUM(reasoning_tokens), 0) AS reasoningTokens, COALESCE(SUM(list_cost), 0) AS listCost, COALESCE(SUM(actual_cost), 0) AS actualCost,
  COALESCE(SUM(latency_ms), 0) AS latencyMs`

/** Totals with every count at zero. */
export function emptyTotals(): UsageTotals {
  return { requests: 0, errors: 0, estimated: 0, unpriced: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, listCost: 0, actualCost: 0, latencyMs: 0 }
}

const totalsFields = Object.keys(emptyTotals()) as (keyof UsageTotals)[]

/** Adds the totals of `more` into `into` (other fields of `into`, like a bucket's start, are left alone) and returns it. */
export function addTotals<T extends UsageTotals>(into: T, more: UsageTotals): T {
  for (const field of totalsFields) into[field] += more[field]
  return into
}

function whereOf(filter: UsageFilter, raw: boolean): { sql: string; params: SQLQueryBindings[] } {
  const clauses: string[] = []
  const params: SQLQueryBindings[] = []
  if (filter.provider !== undefined) clauses.push('provider = ?'), params.push(filter.provider)
  if (filter.connectionId !== undefined) clauses.push('connection_id = ?'), params.push(filter.connectionId)
  if (filter.model !== undefined) clauses.push('model = ?'), params.push(filter.model)
  if (filter.apiKeyId !== undefined) {
    if (raw && filter.apiKeyId === 0) clauses.push('api_key_id IS NULL')
    else clauses.push('api_key_id = ?'), params.push(filter.apiKeyId)
  }
  return { sql: clauses.map((clause) => ` AND ${clause}`).join(''), params }
}

/** Totals of raw events in [from, to). */
export function sumRawUsage(db: Database, from: number, to: number, filter: UsageFilter = {}): UsageTotals {
  const where = whereOf(filter, true)
  return db.query(`SELECT ${rawSums} FROM usage_events WHERE at >= ? AND at < ?${where.sql}`).get(from, to, ...where.params) as UsageTotals
}

const rollupColumns = `provider, connection_id, model, api_key_id, ${rollupSumColumns.join(', ')}`

/**
 * The UTC days wholly among the hours that start in [from, to) — a day counts when its last hour starts before
 * `to` — as [first day, end day); undefined when there is none.
 */
function wholeDaysAmong(from: number, to: number): [number, number] | undefined {
  const firstDay = Math.ceil(from / DAY_MS) * DAY_MS
  const endDay = Math.floor(Math.ceil(to / HOUR_MS) / 24) * DAY_MS
  return firstDay < endDay ? [firstDay, endDay] : undefined
}

/**
 * The rolled-up hours that start in [from, to), as one SQL source: the UTC days wholly among them from
 * `usage_daily`, the hours around those from `usage_hourly`. A month then reads about 30 rows per key instead
 * of 720: over a million requests a 30-day sum took 10 ms and a breakdown 40 ms (a budget re-sums every second).
 */
function rolledUpHours(from: number, to: number, filter: UsageFilter): { sql: string; params: SQLQueryBindings[] } {
  const where = whereOf(filter, false)
  const hours = (start: number, end: number) => ({ sql: `SELECT ${rollupColumns} FROM usage_hourly WHERE hour >= ? AND hour < ?${where.sql}`, params: [start, end, ...where.params] })
  const days = wholeDaysAmong(from, to)
  if (!days) {
    const all = hours(from, to)
    return { sql: `(${all.sql})`, params: all.params }
  }
  const before = hours(from, days[0])
  const after = hours(days[1], to)
  return {
    sql: `(SELECT ${rollupColumns} FROM usage_daily WHERE day >= ? AND day < ?${where.sql} UNION ALL ${before.sql} UNION ALL ${after.sql})`,
    params: [...days, ...where.params, ...before.params, ...after.params],
  }
}

/** Totals of the rolled-up hours that start in [from, to) (whole days read from the daily rollups). */
export function sumRolledUpUsage(db: Database, from: number, to: number, filter: UsageFilter = {}): UsageTotals {
  const source = rolledUpHours(from, to, filter)
  return db.query(`SELECT ${hourlySums} FROM ${source.sql}`).get(...source.params) as UsageTotals
}

/**
 * Exact totals in [from, to): whole hours from the rollups, the partial hours at both ends from raw events
 * (a partial hour older than the raw retention is lost, so windows should be shorter than the retention).
 */
export function sumUsage(db: Database, from: number, to: number, filter: UsageFilter = {}): UsageTotals {
  const firstWhole = Math.ceil(from / HOUR_MS) * HOUR_MS
  const lastWhole = Math.floor(to / HOUR_MS) * HOUR_MS
  if (firstWhole >= lastWhole) return sumRawUsage(db, from, to, filter)
  const totals = sumRolledUpUsage(db, firstWhole, lastWhole, filter)
  if (from < firstWhole) addTotals(totals, sumRawUsage(db, from, firstWhole, filter))
  if (to > lastWhole) addTotals(totals, sumRawUsage(db, lastWhole, to, filter))
  return totals
}

/** The time of the oldest request with tokens in [from, to), for rolling-window countdowns. */
export function oldestUsageAt(db: Database, from: number, to: number, filter: UsageFilter = {}): number | undefined {
  const where = whereOf(filter, true)
  const row = db.query(`SELECT MIN(at) AS at FROM usage_events WHERE at >= ? AND at < ?${where.sql}`).get(from, to, ...where.params) as { at: number | null }
  return row.at ?? undefined
}

/** Per-hour totals from the rollups in [from, to), oldest first. */
export function listHourlyTotals(db: Database, from: number, to: number, filter: UsageFilter = {}): (UsageTotals & { hour: number })[] {
  const where = whereOf(filter, false)
  return db
    .query(`SELECT hour, ${hourlySums} FROM usage_hourly WHERE hour >= ? AND hour < ?${where.sql} GROUP BY hour ORDER BY hour`)
    .all(from, to, ...where.params) as (UsageTotals & { hour: number })[]
}

/**
 * Totals of the rolled-up hours in [from, to), oldest first, a row per UTC day for the days wholly among them
 * (keyed by the day's first hour) and per hour around those: a UTC series by day or month over a year then reads
 * 365 rows per key instead of 8,760.
 */
export function listUtcDayTotals(db: Database, from: number, to: number, filter: UsageFilter = {}): (UsageTotals & { hour: number })[] {
  const days = wholeDaysAmong(from, to)
  if (!days) return listHourlyTotals(db, from, to, filter)
  const where = whereOf(filter, false)
  const daily = db
    .query(`SELECT day AS hour, ${hourlySums} FROM usage_daily WHERE day >= ? AND day < ?${where.sql} GROUP BY day ORDER BY day`)
    .all(...days, ...where.params) as (UsageTotals & { hour: number })[]
  return [...listHourlyTotals(db, from, days[0], filter), ...daily, ...listHourlyTotals(db, days[1], to, filter)]
}

/** A dimension usage can be broken down by. */
export type UsageDimension = 'provider' | 'model' | 'connection' | 'key'

const dimensionSql: Record<UsageDimension, { select: string; group: string }> = {
  provider: { select: "u.provider AS id, u.provider AS name", group: 'u.provider' },
  model: { select: "u.model AS id, u.model AS name, u.provider AS provider", group: 'u.model, u.provider' },
  connection: { select: 'u.connection_id AS id, c.name AS name, u.provider AS provider', group: 'u.connection_id' },
  key: { select: 'u.api_key_id AS id, k.name AS name', group: 'u.api_key_id' },
}

/** Rollup totals in [from, to) grouped by a dimension, largest spend and token use first. */
export function breakdownUsage(db: Database, from: number, to: number, by: UsageDimension, filter: UsageFilter = {}): (UsageTotals & { id: string | number; name: string | null })[] {
  const source = rolledUpHours(from, to, filter)
  const dimension = dimensionSql[by]
  const sums = hourlySums.replaceAll('SUM(', 'SUM(u.')
  return db
    .query(
      `SELECT ${dimension.select}, ${sums} FROM ${source.sql} u
       LEFT JOIN connections c ON c.id = u.connection_id LEFT JOIN api_keys k ON k.id = u.api_key_id
       GROUP BY ${dimension.group} ORDER BY actualCost DESC, listCost DESC, inputTokens + outputTokens DESC`,
    )
    .all(...source.params) as (UsageTotals & { id: string | number; name: string | null })[]
}

/** Which recent requests to list: a page before a cursor (a row id), narrowed by filter and status. */
export interface RequestQuery extends UsageFilter {
  limit?: number
  before?: number
  from?: number
  to?: number
  /** `error` = status ≥ 400, `ok` = the rest. */
  outcome?: 'ok' | 'error'
}

/**
 * Raw usage events newest first, with the connection and key names. A model filter reads only the hours in which
 * that model appears (unless it looks for failures, which have an index).
 */
export function listUsageEvents(db: Database, query: RequestQuery = {}): Record<string, unknown>[] {
  const limit = Math.max(1, Math.min(query.limit ?? 50, 100_000))
  if (query.model === undefined || query.outcome === 'error') return queryUsageEvents(db, query, limit)
  const hours = hoursWithModel(db, { name: query.model }, query.from)
  return collectByHour(hours, limit, (from, to, wanted) => queryUsageEvents(db, query, wanted, [from, to]))
}

/** One query of {@link listUsageEvents}, optionally within [window[0], window[1]). */
function queryUsageEvents(db: Database, query: RequestQuery, limit: number, window?: [number, number]): Record<string, unknown>[] {
  const where = whereOf(query, true)
  const clauses = [where.sql.replaceAll(' AND ', ' AND e.')]
  const params = [...where.params]
  // The cursor row's place in (at, id) order: pages follow the time index, as the filters do.
  if (query.before !== undefined) clauses.push(' AND (e.at, e.id) < (SELECT at, id FROM usage_events WHERE id = ?)'), params.push(query.before)
  if (query.from !== undefined) clauses.push(' AND e.at >= ?'), params.push(query.from)
  if (query.to !== undefined) clauses.push(' AND e.at < ?'), params.push(query.to)
  if (query.outcome === 'error') clauses.push(' AND e.status >= 400')
  if (query.outcome === 'ok') clauses.push(' AND e.status < 400')
  if (window) clauses.push(' AND e.at >= ? AND e.at < ?'), params.push(...window)
  params.push(limit)
  return db
    .query(
      `SELECT e.*, c.name AS connection_name, k.name AS api_key_name FROM usage_events e${query.outcome === 'error' ? ' INDEXED BY usage_events_errors_at' : ''}
       LEFT JOIN connections c ON c.id = e.connection_id LEFT JOIN api_keys k ON k.id = e.api_key_id
       WHERE 1 = 1${clauses.join('')} ORDER BY e.at DESC, e.id DESC LIMIT ?`,
    )
    .all(...params) as Record<string, unknown>[]
}

/** The attempts of several requests, grouped by request id, each in order. */
export function listAttemptsFor(db: Database, requestIds: readonly string[]): Map<string, Record<string, unknown>[]> {
  const grouped = new Map<string, Record<string, unknown>[]>()
  const select = db.query('SELECT a.*, c.name AS connection_name FROM attempts a LEFT JOIN connections c ON c.id = a.connection_id WHERE a.request_id = ? ORDER BY a.id')
  for (const id of new Set(requestIds)) grouped.set(id, select.all(id) as Record<string, unknown>[])
  return grouped
}

/**
 * Deletes raw events, attempts and request logs older than their cutoffs, in batches; returns rows deleted.
 * With `maxRows`, stops once that many are deleted (more may be left when the count reaches it).
 */
export function pruneRawUsage(db: Database, cutoffs: { usage: number; requestLogs: number }, batch = 5_000, maxRows = Infinity): number {
  let deleted = 0
  const steps: [string, number][] = [
    ['DELETE FROM usage_events WHERE id IN (SELECT id FROM usage_events WHERE at < ? ORDER BY at LIMIT ?)', cutoffs.usage],
    ['DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE at < ? ORDER BY at LIMIT ?)', cutoffs.usage],
    ['DELETE FROM request_logs WHERE id IN (SELECT id FROM request_logs WHERE at < ? ORDER BY at LIMIT ?)', cutoffs.requestLogs],
  ]
  for (const [sql, cutoff] of steps) {
    const statement = db.query(sql)
    for (;;) {
      const limit = Math.min(batch, maxRows - deleted)
      if (limit <= 0) return deleted
      const changes = statement.run(cutoff, limit).changes
      deleted += changes
      if (changes < limit) break
    }
  }
  // The model-name index of the hours no raw row is left in (a few rows per hour; not counted).
  db.query('DELETE FROM usage_model_hours WHERE hour < ?').run(Math.floor(cutoffs.usage / HOUR_MS) * HOUR_MS)
  return deleted
}
