import { Database } from 'bun:sqlite'
import { chmodSync, existsSync } from 'node:fs'

/** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000

/** Opens (creating if needed) the SQLite database with WAL, foreign keys and a busy timeout. */
export function openDatabase(path: string): Database {
  const isNew = path !== ':memory:' && !existsSync(path)
  const db = new Database(path, { create: true, strict: true })
  // Set before the first table exists, incremental auto-vacuum needs no VACUUM (a whole-file rewrite) later.
  if (isNew) db.exec('PRAGMA auto_vacuum = INCREMENTAL')
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA synchronous = NORMAL')
  db.exec('PRAGMA foreign_keys = ON')
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
  if (isNew) chmodSync(path, 0o600)
  return db
}

/** Copies committed WAL pages back into the database file without waiting on readers or writers; a no-op off WAL. */
export function checkpoint(db: Database): void {
  db.exec('PRAGMA wal_checkpoint(PASSIVE)')
}

export type { Database }
