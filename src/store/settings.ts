import type { Database } from 'bun:sqlite'

/** Reads one JSON setting. */
export function getSetting<T>(db: Database, key: string): T | undefined {
  const row = db.query('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | null
  return row ? (JSON.parse(row.value) as T) : undefined
}

/** Writes one JSON setting. */
export function setSetting(db: Database, key: string, value: unknown): void {
  db.query('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    JSON.stringify(value),
  )
}
