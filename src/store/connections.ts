import type { Database } from 'bun:sqlite'
import { decryptSecret, encryptSecret } from '../services/crypto'

/** A configured upstream account (an API key or, later, OAuth tokens) of one provider. */
export interface Connection {
  id: number
  name: string
  provider: string
  prefix: string | null
  baseUrl: string | null
  apiKey: string | null
  models: string[]
  priority: number
  enabled: boolean
  options: Record<string, unknown>
}

/** What a caller may set on a connection; omitted fields keep their stored value on update. */
export interface ConnectionInput {
  name: string
  provider: string
  prefix?: string | null
  baseUrl?: string | null
  apiKey?: string | null
  models?: string[]
  priority?: number
  enabled?: boolean
  options?: Record<string, unknown>
}

interface ConnectionRow {
  id: number
  name: string
  provider: string
  prefix: string | null
  base_url: string | null
  secret_enc: string | null
  models: string
  priority: number
  enabled: number
  options: string
}

function toConnection(row: ConnectionRow, key: Buffer): Connection {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    prefix: row.prefix,
    baseUrl: row.base_url,
    apiKey: row.secret_enc ? decryptSecret(key, row.secret_enc) : null,
    models: JSON.parse(row.models),
    priority: row.priority,
    enabled: row.enabled === 1,
    options: JSON.parse(row.options),
  }
}

/** All connections, by priority then name, with secrets decrypted. */
export function listConnections(db: Database, key: Buffer): Connection[] {
  const rows = db.query('SELECT * FROM connections ORDER BY priority, name').all() as ConnectionRow[]
  return rows.map((row) => toConnection(row, key))
}

/** Inserts or updates a connection by name; returns its id. */
export function upsertConnection(db: Database, key: Buffer, input: ConnectionInput, now: number): number {
  const existing = db.query('SELECT * FROM connections WHERE name = ?').get(input.name) as ConnectionRow | null
  const secret = input.apiKey === undefined ? existing?.secret_enc ?? null : input.apiKey === null ? null : encryptSecret(key, input.apiKey)
  const values = {
    name: input.name,
    provider: input.provider,
    prefix: input.prefix === undefined ? existing?.prefix ?? null : input.prefix,
    base_url: input.baseUrl === undefined ? existing?.base_url ?? null : input.baseUrl,
    secret_enc: secret,
    models: input.models === undefined ? existing?.models ?? '[]' : JSON.stringify(input.models),
    priority: input.priority ?? existing?.priority ?? 100,
    enabled: input.enabled === undefined ? existing?.enabled ?? 1 : input.enabled ? 1 : 0,
    options: input.options === undefined ? existing?.options ?? '{}' : JSON.stringify(input.options),
    now,
  }
  if (existing) {
    // An unchanged secret keeps its ciphertext so re-applying a config file writes nothing new.
    if (input.apiKey != null && existing.secret_enc && decryptSecret(key, existing.secret_enc) === input.apiKey) {
      values.secret_enc = existing.secret_enc
    }
    db.query(
      `UPDATE connections SET provider=$provider, prefix=$prefix, base_url=$base_url, secret_enc=$secret_enc,
       models=$models, priority=$priority, enabled=$enabled, options=$options, updated_at=$now WHERE name=$name`,
    ).run(values)
    return existing.id
  }
  const row = db
    .query(
      `INSERT INTO connections (name, provider, prefix, base_url, secret_enc, models, priority, enabled, options, created_at, updated_at)
       VALUES ($name, $provider, $prefix, $base_url, $secret_enc, $models, $priority, $enabled, $options, $now, $now) RETURNING id`,
    )
    .get(values) as { id: number }
  return row.id
}

/** Deletes a connection; returns whether one existed. */
export function deleteConnection(db: Database, id: number): boolean {
  return db.query('DELETE FROM connections WHERE id = ?').run(id).changes > 0
}

/** Enables or disables a connection; returns whether one existed. */
export function setConnectionEnabled(db: Database, id: number, enabled: boolean, now: number): boolean {
  return db.query('UPDATE connections SET enabled = ?, updated_at = ? WHERE id = ?').run(enabled ? 1 : 0, now, id).changes > 0
}
