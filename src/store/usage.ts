import type { Database } from 'bun:sqlite'

/** One finished client request as recorded for accounting. */
export interface UsageEvent {
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
  inputTokens?: number
  outputTokens?: number
  cacheReadTokens?: number
  cacheWriteTokens?: number
  reasoningTokens?: number
  latencyMs: number
  ttfbMs?: number
  error?: string
  /** The combo the client asked for, when the requested model was one. */
  combo?: string | null
  /** True when the token counts were estimated locally because the upstream reported none. */
  estimated?: boolean
  /** What the request would cost at list price, in US dollars; undefined when the model has no known price. */
  listCost?: number
  /** What the request really cost: 0 on subscription and free tiers, else the list price. */
  actualCost?: number
}

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

/** Writes a batch of usage events and folds them into the hourly and daily rollups, in one transaction. */
export function insertUsageEvents(db: Database, events: readonly UsageEvent[]): void {
  const insert = db.query(
    `INSERT INTO usage_events (at, request_id, inbound_format, requested_model, model, provider, connection_id, api_key_id,
     status, stream, attempts, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
     latency_ms, ttfb_ms, error, combo, estimated, list_cost, actual_cost) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  )
  db.transaction(() => {
    for (const e of events) {
      insert.run(
        e.at, e.requestId, e.inboundFormat, e.requestedModel, e.model, e.provider, e.connectionId, e.apiKeyId,
        e.status, e.stream ? 1 : 0, e.attempts, e.inputTokens ?? null, e.outputTokens ?? null, e.cacheReadTokens ?? null,
        e.cacheWriteTokens ?? null, e.reasoningTokens ?? null, e.latencyMs, e.ttfbMs ?? null, e.error ?? null,
        e.combo ?? null, e.estimated ? 1 : 0, e.listCost ?? null, e.actualCost ?? null,
      )
    }
    addToRollups(db, events)
    addModelHours(db, events)
  })()
}

/** Notes the hours in which each requested and served model name appears (call inside the inserting transaction). */
function addModelHours(db: Database, events: readonly UsageEvent[]): void {
  const seen = new Set<string>()
  const insert = db.query('INSERT OR IGNORE INTO usage_model_hours (model, hour) VALUES (?, ?)')
  const note = (name: string | null, hour: number) => {
    if (name === null) return
    const key = `${hour}\u0000${name}`
    if (seen.has(key)) return
    seen.add(key)
    insert.run(name, hour)
  }
  // Consecutive rows mostly repeat the previous one's names and hour.
  let last: { hour: number; model: string | null; requestedModel: string | null } | undefined
  for (const e of events) {
    const hour = Math.floor(e.at / HOUR_MS) * HOUR_MS
    if (last && hour === last.hour && e.model === last.model && e.requestedModel === last.requestedModel) continue
    last = { hour, model: e.model, requestedModel: e.requestedModel }
    note(e.model, hour)
    note(e.requestedModel, hour)
  }
}

/** The summed columns of the rollup tables, in the order `foldHourly` sums them. */
export const rollupSumColumns = ['requests', 'errors', 'estimated', 'unpriced', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'list_cost', 'actual_cost', 'latency_ms'] as const

/** The upsert that adds one row of sums to a rollup table keyed by its period (`hour` or `day`) and the four keys. */
function rollupUpsert(table: 'usage_hourly' | 'usage_daily', period: 'hour' | 'day'): string {
  const keys = [period, 'provider', 'connection_id', 'model', 'api_key_id']
  const columns = [...keys, ...rollupSumColumns]
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(',')})
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${rollupSumColumns.map((column) => `${column} = ${column} + excluded.${column}`).join(', ')}`
}
const hourlyUpsert = rollupUpsert('usage_hourly', 'hour')
const dailyUpsert = rollupUpsert('usage_daily', 'day')

/**
 * Adds events to `usage_hourly` and `usage_daily` (call inside the transaction that inserts them): one upsert
 * per hour and key in the batch, and one per day and key.
 */
function addToRollups(db: Database, events: readonly UsageEvent[]): void {
  const hourly = foldHourly(events)
  const upsertHour = db.query(hourlyUpsert)
  for (const row of hourly) upsertHour.run(...row)
  const upsertDay = db.query(dailyUpsert)
  for (const row of foldDaily(hourly)) upsertDay.run(...row)
}

/** Sums hourly rollup rows per (day, provider, connection, model, key); a batch rarely spans two days. */
function foldDaily(hourly: readonly (string | number)[][]): (string | number)[][] {
  const days = new Map<string, (string | number)[]>()
  for (const row of hourly) {
    const day = Math.floor((row[0] as number) / DAY_MS) * DAY_MS
    const key = `${day}\u0000${row.slice(1, 5).join('\u0000')}`
    const sums = days.get(key)
    if (!sums) days.set(key, [day, ...row.slice(1)])
    else for (let column = 5; column < row.length; column++) (sums[column] as number) += row[column] as number
  }
  return [...days.values()]
}

/** Sums a batch per (hour, provider, connection, model, key): the rows `usage_hourly` adds. */
function foldHourly(events: readonly UsageEvent[]): (string | number)[][] {
  const groups = new Map<string, { keys: (string | number)[]; sums: number[] }>()
  // Consecutive rows mostly share a group: the last one is kept at hand.
  let last: { event: UsageEvent; hour: number; sums: number[] } | undefined
  for (const e of events) {
    const hour = Math.floor(e.at / HOUR_MS) * HOUR_MS
    const prior = last?.event
    let sums: number[]
    if (last && prior && hour === last.hour && e.provider === prior.provider && e.connectionId === prior.connectionId && e.model === prior.model && e.apiKeyId === prior.apiKeyId) {
      sums = last.sums
    } else {
      const keys = [hour, e.provider ?? '', e.connectionId ?? 0, e.model ?? '', e.apiKeyId ?? 0]
      const key = keys.join('\u0000')
      let group = groups.get(key)
      if (!group) groups.set(key, (group = { keys, sums: new Array(12).fill(0) }))
      sums = group.sums
    }
    last = { event: e, hour, sums }
    const tokens = (e.inputTokens ?? 0) + (e.outputTokens ?? 0)
    // In column order: requests, errors, estimated, unpriced, input, output, cache read, cache write, reasoning, list cost, actual cost, latency.
    sums[0]++
    if (e.status >= 400) sums[1]++
    if (e.estimated) sums[2]++
    if (tokens > 0 && e.listCost === undefined) sums[3]++
    sums[4] += e.inputTokens ?? 0
    sums[5] += e.outputTokens ?? 0
    sums[6] += e.cacheReadTokens ?? 0
    sums[7] += e.cacheWriteTokens ?? 0
    sums[8] += e.reasoningTokens ?? 0
    sums[9] += e.listCost ?? 0
    sums[10] += e.actualCost ?? 0
    sums[11] += e.latencyMs
  }
  return [...groups.values()].map((group) => [...group.keys, ...group.sums])
}

/** The most recent usage events, newest first. */
export function listRecentUsage(db: Database, limit = 50): Record<string, unknown>[] {
  return db.query('SELECT * FROM usage_events ORDER BY id DESC LIMIT ?').all(limit) as Record<string, unknown>[]
}

/** One upstream try as recorded for the attempt trace. */
export interface AttemptEvent {
  at: number
  requestId: string
  connectionId: number | null
  provider: string
  model: string
  status: number
  failureClass?: string
  reason?: string
  latencyMs: number
}

/** Writes a batch of attempt rows in one transaction. */
export function insertAttemptEvents(db: Database, events: readonly AttemptEvent[]): void {
  const insert = db.query(
    'INSERT INTO attempts (at, request_id, connection_id, provider, model, status, failure_class, reason, latency_ms) VALUES (?,?,?,?,?,?,?,?,?)',
  )
  db.transaction(() => {
    for (const e of events) insert.run(e.at, e.requestId, e.connectionId, e.provider, e.model, e.status, e.failureClass ?? null, e.reason ?? null, e.latencyMs)
  })()
}

/** The attempts of one request, in order. */
export function listAttempts(db: Database, requestId: string): Record<string, unknown>[] {
  return db.query('SELECT * FROM attempts WHERE request_id = ? ORDER BY id').all(requestId) as Record<string, unknown>[]
}
