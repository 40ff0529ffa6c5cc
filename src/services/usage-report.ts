import type { Database } from 'bun:sqlite'
import { emptyTotals, addTotals, listAttemptsFor, listHourlyTotals, listUsageEvents, listUtcDayTotals, type RequestQuery, type UsageFilter, type UsageTotals } from '../store/usage-queries'
import { localBucketLabel } from './usage-windows'

const HOUR_MS = 3_600_000
const periods: Record<string, number> = { '1h': HOUR_MS, '24h': 24 * HOUR_MS, '7d': 7 * 24 * HOUR_MS, '30d': 30 * 24 * HOUR_MS, '90d': 90 * 24 * HOUR_MS, '365d': 365 * 24 * HOUR_MS }

/** A span of time in epoch ms, `to` exclusive. */
export interface TimeRange {
  from: number
  to: number
}

function readTime(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const number = Number(value)
  if (Number.isFinite(number)) return number
  const parsed = Date.parse(value)
  return Number.isNaN(parsed) ? undefined : parsed
}

/** Reads `?from=&to=` (epoch ms or ISO 8601) or `?period=1h|24h|7d|30d|90d|365d|all`; throws a message for a bad value. */
export function readRange(query: Record<string, string | undefined>, now: number, fallback = '7d'): TimeRange {
  const from = readTime(query.from)
  const to = readTime(query.to)
  if ((query.from && from === undefined) || (query.to && to === undefined)) throw new Error('"from" and "to" must be epoch milliseconds or ISO 8601 times')
  if (from !== undefined) return { from, to: to ?? now + 1 }
  const period = query.period ?? fallback
  if (period === 'all') return { from: 0, to: to ?? now + 1 }
  const span = periods[period]
  if (span === undefined) throw new Error(`unknown period "${period}": use ${Object.keys(periods).join(', ')} or all`)
  const end = to ?? now + 1
  return { from: end - span, to: end }
}

/** Reads the usage filter from query parameters (`provider`, `connection` id, `model`, `key` id). */
export function readFilter(query: Record<string, string | undefined>): UsageFilter {
  const filter: UsageFilter = {}
  if (query.provider) filter.provider = query.provider
  if (query.connection && Number.isInteger(Number(query.connection))) filter.connectionId = Number(query.connection)
  if (query.model) filter.model = query.model
  if (query.key && Number.isInteger(Number(query.key))) filter.apiKeyId = Number(query.key)
  return filter
}

/** Totals plus what they mean for the user: tokens in all, and what subscriptions and free tiers saved. */
export function describeTotals(totals: UsageTotals) {
  return {
    ...totals,
    totalTokens: totals.inputTokens + totals.outputTokens,
    savings: Math.max(0, Math.round((totals.listCost - totals.actualCost) * 1e9) / 1e9),
    averageLatencyMs: totals.requests ? Math.round(totals.latencyMs / totals.requests) : 0,
  }
}

/**
 * Usage over time in buckets of local hours, days or months of a time zone, built from the hourly
 * rollups (oldest first, empty buckets included). In zones whose offset is not whole hours (Asia/Kolkata)
 * an hour of rollups lands in the local bucket where it starts.
 */
export function buildSeries(db: Database, range: TimeRange, granularity: 'hour' | 'day' | 'month', timeZone: string, filter: UsageFilter = {}) {
  // Walking every hour is cheap (8,760 a year) and gets DST-length days right without calendar arithmetic.
  const maxHours = 24 * 366 * 3
  // A longer range (`period=all` starts in 1970) starts at the oldest rolled-up hour, and keeps the newest
  // three years when that is still too long.
  let from = range.from
  if (range.to - from > maxHours * HOUR_MS) {
    const oldest = (db.query('SELECT MIN(hour) AS hour FROM usage_hourly').get() as { hour: number | null }).hour
    from = Math.max(from, oldest ?? range.to - HOUR_MS, range.to - maxHours * HOUR_MS)
  }
  const firstHour = Math.floor(from / HOUR_MS) * HOUR_MS
  const buckets = new Map<string, UsageTotals & { start: number }>()
  for (let hour = firstHour; hour < range.to; hour += HOUR_MS) {
    const label = localBucketLabel(Math.max(hour, from), granularity, timeZone)
    if (!buckets.has(label)) buckets.set(label, { start: Math.max(hour, from), ...emptyTotals() })
  }
  // In UTC a day or month is made of whole UTC days, so the daily rollups can stand for their hours.
  const rows = granularity !== 'hour' && timeZone === 'UTC' ? listUtcDayTotals(db, firstHour, range.to, filter) : listHourlyTotals(db, firstHour, range.to, filter)
  for (const row of rows) {
    const { hour, ...totals } = row
    const label = localBucketLabel(Math.max(hour, from), granularity, timeZone)
    const bucket = buckets.get(label) ?? { start: hour, ...emptyTotals() }
    addTotals(bucket, totals)
    buckets.set(label, bucket)
  }
  return [...buckets].map(([label, totals]) => ({ label, ...describeTotals(totals) }))
}

/**
 * A request's attempt trace. Routing stores attempt rows only when they add something (a retry, a fallback,
 * a failure); a request answered by its only attempt gets that attempt back from its usage row.
 */
export function traceOf(row: Record<string, unknown>, stored: Record<string, unknown>[]): Record<string, unknown>[] {
  if (stored.length > 0 || row.attempts !== 1 || row.connection_id === null || (row.status as number) >= 400) return stored
  const { at, request_id, connection_id, connection_name, provider, model, status, latency_ms } = row
  return [{ at, request_id, connection_id, connection_name, provider, model, status, failure_class: null, reason: null, latency_ms, implied: true }]
}

/** Recent requests, newest first, each with its attempt trace; `nextBefore` pages on. */
export function listRecentRequests(db: Database, query: RequestQuery) {
  const rows = listUsageEvents(db, query)
  const attempts = listAttemptsFor(db, rows.map((row) => String(row.request_id)))
  const requests = rows.map((row) => ({ ...row, attempts: traceOf(row, attempts.get(String(row.request_id)) ?? []) }))
  const limit = query.limit ?? 50
  return { requests, nextBefore: rows.length === limit ? (rows.at(-1)?.id as number) : null }
}

// A cell a spreadsheet would run as a formula is prefixed with a quote (CSV injection).
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = typeof value === 'string' ? value : String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Rows as CSV (RFC 4180) with a header line of the given columns. */
export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const lines = [columns.join(',')]
  for (const row of rows) lines.push(columns.map((column) => csvCell(row[column])).join(','))
  return `${lines.join('\r\n')}\r\n`
}

/** The columns of a raw usage export, in order. */
export const usageExportColumns = [
  'id', 'at', 'request_id', 'inbound_format', 'requested_model', 'combo', 'model', 'provider', 'connection_id', 'connection_name',
  'api_key_id', 'api_key_name', 'status', 'stream', 'attempts', 'input_tokens', 'output_tokens', 'cache_read_tokens',
  'cache_write_tokens', 'reasoning_tokens', 'estimated', 'list_cost', 'actual_cost', 'latency_ms', 'ttfb_ms', 'error',
] as const
