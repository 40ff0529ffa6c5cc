import type { Database } from 'bun:sqlite'

/** A user's price for a provider's model (`*` = every model), in US dollars per 1M tokens. */
export interface PriceOverride {
  provider: string
  model: string
  input: number
  output: number
  cacheRead?: number
  cacheWrite?: number
  updatedAt: number
}

interface PriceOverrideRow {
  provider: string
  model: string
  input: number
  output: number
  cache_read: number | null
  cache_write: number | null
  updated_at: number
}

const toOverride = (row: PriceOverrideRow): PriceOverride => ({
  provider: row.provider,
  model: row.model,
  input: row.input,
  output: row.output,
  ...(row.cache_read === null ? {} : { cacheRead: row.cache_read }),
  ...(row.cache_write === null ? {} : { cacheWrite: row.cache_write }),
  updatedAt: row.updated_at,
})

/** Every price override, by provider then model. */
export function listPriceOverrides(db: Database): PriceOverride[] {
  return (db.query('SELECT * FROM pricing_overrides ORDER BY provider, model').all() as PriceOverrideRow[]).map(toOverride)
}

/** Inserts or replaces the price of a provider's model; the same price again changes nothing (not even its time). */
export function upsertPriceOverride(db: Database, price: Omit<PriceOverride, 'updatedAt'>, now: number): void {
  db.query(
    `INSERT INTO pricing_overrides (provider, model, input, output, cache_read, cache_write, updated_at) VALUES (?,?,?,?,?,?,?)
     ON CONFLICT (provider, model) DO UPDATE SET input = excluded.input, output = excluded.output, cache_read = excluded.cache_read,
     cache_write = excluded.cache_write, updated_at = excluded.updated_at
     WHERE input IS NOT excluded.input OR output IS NOT excluded.output OR cache_read IS NOT excluded.cache_read OR cache_write IS NOT excluded.cache_write`,
  ).run(price.provider, price.model, price.input, price.output, price.cacheRead ?? null, price.cacheWrite ?? null, now)
}

/** Removes one override; returns whether it existed. */
export function deletePriceOverride(db: Database, provider: string, model: string): boolean {
  return db.query('DELETE FROM pricing_overrides WHERE provider = ? AND model = ?').run(provider, model).changes > 0
}

/** Connection ids with their names and providers, without decrypting any secret. */
export function listConnectionNames(db: Database): { id: number; name: string; provider: string }[] {
  return db.query('SELECT id, name, provider FROM connections ORDER BY id').all() as { id: number; name: string; provider: string }[]
}

/** Models requests went to without a known price since `since` (ms), from the hourly rollups, most such requests first. */
export function listUnpricedModels(db: Database, since: number, limit = 20): { provider: string; model: string; requests: number }[] {
  return db
    .query(
      `SELECT provider, model, SUM(unpriced) AS requests FROM usage_hourly WHERE hour >= ? AND unpriced > 0 AND provider != '' AND model != ''
       GROUP BY provider, model ORDER BY requests DESC LIMIT ?`,
    )
    .all(Math.floor(since / 3_600_000) * 3_600_000, limit) as { provider: string; model: string; requests: number }[]
}
