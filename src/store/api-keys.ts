import type { Database } from 'bun:sqlite'
import { hashApiKey } from '../services/crypto'

/** A client API key as stored: only its hash and a short hint are kept. */
export interface ApiKeyRecord {
  id: number
  name: string
  keyHint: string
  enabled: boolean
  createdAt: number
  lastUsedAt: number | null
}

interface ApiKeyRow {
  id: number
  name: string
  key_hint: string
  enabled: number
  created_at: number
  last_used_at: number | null
}

const toRecord = (row: ApiKeyRow): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  keyHint: row.key_hint,
  enabled: row.enabled === 1,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
})

/** A short, non-secret reminder of a key: its first 9 and last 4 characters. */
export function keyHint(key: string): string {
  return key.length > 16 ? `${key.slice(0, 9)}…${key.slice(-4)}` : '…'
}

/** Stores a key (hashed) under a name, replacing that name's previous key; returns its id. */
export function saveApiKey(db: Database, name: string, key: string, now: number): number {
  const row = db
    .query(
      `INSERT INTO api_keys (name, key_hash, key_hint, enabled, created_at) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT(name) DO UPDATE SET key_hash = excluded.key_hash, key_hint = excluded.key_hint RETURNING id`,
    )
    .get(name, hashApiKey(key), keyHint(key), now) as { id: number }
  return row.id
}

/** All keys, newest first, without their secrets. */
export function listApiKeys(db: Database): ApiKeyRecord[] {
  return (db.query('SELECT * FROM api_keys ORDER BY created_at DESC, id DESC').all() as ApiKeyRow[]).map(toRecord)
}

/** The enabled key whose hash matches, if any. */
export function findApiKeyByHash(db: Database, hash: string): ApiKeyRecord | null {
  const row = db.query('SELECT * FROM api_keys WHERE key_hash = ? AND enabled = 1').get(hash) as ApiKeyRow | null
  return row ? toRecord(row) : null
}

/** Deletes a key; returns whether it existed. */
export function deleteApiKey(db: Database, id: number): boolean {
  return db.query('DELETE FROM api_keys WHERE id = ?').run(id).changes > 0
}

/** Enables or disables a key; returns whether it existed. */
export function setApiKeyEnabled(db: Database, id: number, enabled: boolean): boolean {
  return db.query('UPDATE api_keys SET enabled = ? WHERE id = ?').run(enabled ? 1 : 0, id).changes > 0
}

/** Records when keys were last used (batched by the caller). */
export function touchApiKeys(db: Database, uses: ReadonlyMap<number, number>): void {
  const update = db.query('UPDATE api_keys SET last_used_at = ? WHERE id = ?')
  db.transaction(() => {
    for (const [id, at] of uses) update.run(at, id)
  })()
}

/** Every key with its hash, for the in-memory lookup table. */
export function listApiKeyHashes(db: Database): (ApiKeyRecord & { hash: string })[] {
  const rows = db.query('SELECT * FROM api_keys').all() as (ApiKeyRow & { key_hash: string })[]
  return rows.map((row) => ({ ...toRecord(row), hash: row.key_hash }))
}
