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
}

/** Writes a batch of usage events in one transaction. */
export function insertUsageEvents(db: Database, events: readonly UsageEvent[]): void {
  const insert = db.query(
    `INSERT INTO usage_events (at, request_id, inbound_format, requested_model, model, provider, connection_id, api_key_id,
     status, stream, attempts, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
     latency_ms, ttfb_ms, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  )
  db.transaction(() => {
    for (const e of events) {
      insert.run(
        e.at, e.requestId, e.inboundFormat, e.requestedModel, e.model, e.provider, e.connectionId, e.apiKeyId,
        e.status, e.stream ? 1 : 0, e.attempts, e.inputTokens ?? null, e.outputTokens ?? null, e.cacheReadTokens ?? null,
        e.cacheWriteTokens ?? null, e.reasoningTokens ?? null, e.latencyMs, e.ttfbMs ?? null, e.error ?? null,
      )
    }
  })()
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
