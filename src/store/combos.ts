import type { Database } from 'bun:sqlite'

/** How a combo picks the model it tries first: always its first (`order`), or in turn per conversation (`round-robin`). */
export type ComboStrategy = 'order' | 'round-robin'

/** A named, ordered list of models tried in turn. */
export interface Combo {
  id: number
  name: string
  models: string[]
  strategy: ComboStrategy
}

/** All combos by name. */
export function listCombos(db: Database): Combo[] {
  const rows = db.query('SELECT id, name, models, strategy FROM combos ORDER BY name').all() as { id: number; name: string; models: string; strategy: string }[]
  return rows.map((row) => ({ id: row.id, name: row.name, models: JSON.parse(row.models), strategy: row.strategy === 'round-robin' ? 'round-robin' : 'order' }))
}

/** Inserts or replaces a combo by name. */
export function upsertCombo(db: Database, name: string, models: string[], now: number, strategy: ComboStrategy = 'order'): void {
  db.query(
    `INSERT INTO combos (name, models, strategy, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET models = excluded.models, strategy = excluded.strategy, updated_at = excluded.updated_at`,
  ).run(name, JSON.stringify(models), strategy, now, now)
}

/** All aliases as a name → target map. */
export function listAliases(db: Database): Record<string, string> {
  const rows = db.query('SELECT name, target FROM aliases ORDER BY name').all() as { name: string; target: string }[]
  return Object.fromEntries(rows.map((row) => [row.name, row.target]))
}

/** Inserts or replaces an alias. */
export function upsertAlias(db: Database, name: string, target: string, now: number): void {
  db.query(
    `INSERT INTO aliases (name, target, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET target = excluded.target, updated_at = excluded.updated_at`,
  ).run(name, target, now)
}
