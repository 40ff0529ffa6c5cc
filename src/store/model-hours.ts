import type { Database } from 'bun:sqlite'

const HOUR_MS = 3_600_000

/** Which model names to look for: a LIKE pattern over the requested and served names, or one exact name. */
export type ModelMatch = { like: string } | { name: string }

/**
 * The hours, newest first, from the hour of `from` on, in which a requested or served model name matching `match`
 * appears (`usage_model_hours`, noted with every batch of usage rows). A request with a matching model lies in one
 * of them, so a filter that reads only these hours finds what a scan of every row finds.
 */
export function hoursWithModel(db: Database, match: ModelMatch, from = 0): number[] {
  const fromHour = Math.floor(from / HOUR_MS) * HOUR_MS
  const rows =
    'like' in match
      ? db.query('SELECT DISTINCT hour FROM usage_model_hours WHERE model LIKE ? AND hour >= ? ORDER BY hour DESC').values(match.like, fromHour)
      : db.query('SELECT hour FROM usage_model_hours WHERE model = ? AND hour >= ? ORDER BY hour DESC').values(match.name, fromHour)
  return (rows as [number][]).map(([hour]) => hour)
}

/**
 * Rows newest first from `hours` (newest first): `query` reads one hour [from, to) with what is still wanted, and
 * the walk stops once `limit` rows are found.
 */
export function collectByHour<T>(hours: readonly number[], limit: number, query: (from: number, to: number, wanted: number) => T[]): T[] {
  const rows: T[] = []
  for (const hour of hours) {
    if (rows.length >= limit) break
    rows.push(...query(hour, hour + HOUR_MS, limit - rows.length))
  }
  return rows
}
