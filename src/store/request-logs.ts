import type { Database } from 'bun:sqlite'

/** One side of one exchange, already redacted and capped. */
export interface RequestLogRow {
  at: number
  requestId: string
  side: 'client' | 'upstream'
  attempt?: number
  method?: string
  url?: string
  status?: number
  requestHeaders?: Record<string, string>
  requestBody?: string
  responseHeaders?: Record<string, string>
  responseBody?: string
  truncated: boolean
  bytes: number
}

/** Stores one request log row; returns its id. */
export function insertRequestLog(db: Database, row: RequestLogRow): number {
  const result = db
    .query(
      `INSERT INTO request_logs (at, request_id, side, attempt, method, url, status, request_headers, request_body, response_headers,
       response_body, truncated, bytes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    )
    .run(
      row.at, row.requestId, row.side, row.attempt ?? null, row.method ?? null, row.url ?? null, row.status ?? null,
      row.requestHeaders ? JSON.stringify(row.requestHeaders) : null, row.requestBody ?? null,
      row.responseHeaders ? JSON.stringify(row.responseHeaders) : null, row.responseBody ?? null, row.truncated ? 1 : 0, row.bytes,
    )
  return Number(result.lastInsertRowid)
}

interface StoredRow {
  id: number
  at: number
  request_id: string
  side: 'client' | 'upstream'
  attempt: number | null
  method: string | null
  url: string | null
  status: number | null
  request_headers: string | null
  request_body: string | null
  response_headers: string | null
  response_body: string | null
  truncated: number
  bytes: number
}

const toEntry = (row: StoredRow) => ({
  id: row.id,
  at: row.at,
  requestId: row.request_id,
  side: row.side,
  attempt: row.attempt,
  method: row.method,
  url: row.url,
  status: row.status,
  requestHeaders: row.request_headers ? (JSON.parse(row.request_headers) as Record<string, string>) : null,
  requestBody: row.request_body,
  responseHeaders: row.response_headers ? (JSON.parse(row.response_headers) as Record<string, string>) : null,
  responseBody: row.response_body,
  truncated: row.truncated === 1,
  bytes: row.bytes,
})

/** A stored request log entry. */
export type RequestLogEntry = ReturnType<typeof toEntry>

/** Request logs newest first: a page before a cursor id, optionally of one request; `withBodies` false lists headers only. */
export function listRequestLogs(db: Database, query: { limit?: number; before?: number; requestId?: string; from?: number; to?: number; withBodies?: boolean } = {}): RequestLogEntry[] {
  const clauses: string[] = []
  const params: (string | number)[] = []
  if (query.before !== undefined) clauses.push('id < ?'), params.push(query.before)
  if (query.requestId !== undefined) clauses.push('request_id = ?'), params.push(query.requestId)
  if (query.from !== undefined) clauses.push('at >= ?'), params.push(query.from)
  if (query.to !== undefined) clauses.push('at < ?'), params.push(query.to)
  const columns = query.withBodies === false ? "id, at, request_id, side, attempt, method, url, status, request_headers, NULL AS request_body, response_headers, NULL AS response_body, truncated, bytes" : '*'
  params.push(Math.max(1, Math.min(query.limit ?? 50, 10_000)))
  const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''
  return (db.query(`SELECT ${columns} FROM request_logs ${where} ORDER BY id DESC LIMIT ?`).all(...params) as StoredRow[]).map(toEntry)
}

/** One request log entry by id. */
export function getRequestLog(db: Database, id: number): RequestLogEntry | undefined {
  const row = db.query('SELECT * FROM request_logs WHERE id = ?').get(id) as StoredRow | null
  return row ? toEntry(row) : undefined
}

/** Deletes every request log; returns how many. */
export function clearRequestLogs(db: Database): number {
  return db.query('DELETE FROM request_logs').run().changes
}
