/**
 * Restoring a database backup: the uploaded file is checked (a SQLite database of this app, intact,
 * not newer than this build, secrets readable with this install's key), the live database is backed
 * up next to itself, and the configuration tables are replaced in one transaction.
 * @module
 */
import { Database } from 'bun:sqlite'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { settingsSchema } from '../config/file'
import { migrate, migrations } from '../store/migrate'
import { keepCopy } from '../store/dashboard-queries'
import type { AppContext } from './context'
import { decryptSecret } from './crypto'

/** The tables a restore replaces (usage history and logs stay as they are). */
export const restoredTables = ['connections', 'combos', 'aliases', 'api_keys', 'settings'] as const

/** Settings rows that belong to this install and survive a restore (the dashboard password). */
const keptSettingKeys = ['password']

/** What a restore did, or why it refused. */
export type RestoreResult = { ok: true; backupPath: string; counts: Record<string, number> } | { ok: false; error: string }

const SQLITE_HEADER = 'SQLite format 3\0'

/** A refusal with the message the user sees. */
class Refused extends Error {}

/** Checks an opened candidate database; throws Refused naming the first problem. */
function checkCandidate(db: Database, encryptionKey: Buffer): number {
  let integrity: string
  try {
    integrity = (db.query('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((row) => row.integrity_check).join('; ')
  } catch (error) {
    throw new Refused(`the file is damaged (${(error as Error).message})`)
  }
  if (integrity !== 'ok') throw new Refused(`the file is damaged (integrity check: ${integrity.slice(0, 200)})`)
  const version = (db.query('PRAGMA user_version').get() as { user_version: number }).user_version
  if (version > migrations.length) throw new Refused(`the backup was made by a newer modelmux (schema v${version}; this one knows v${migrations.length}); upgrade modelmux first`)
  const tables = new Set((db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name))
  const missing = restoredTables.filter((table) => !tables.has(table))
  if (version < 1 || missing.length > 0) throw new Refused(`not a modelmux database (missing ${missing.join(', ') || 'schema version'})`)
  const sealed = db.query('SELECT name, secret_enc FROM connections WHERE secret_enc IS NOT NULL').all() as { name: string; secret_enc: string }[]
  for (const row of sealed) {
    try {
      decryptSecret(encryptionKey, row.secret_enc)
    } catch {
      throw new Refused(
        `the backup's secrets were encrypted with another install's key (connection "${row.name}" cannot be decrypted); copy that install's encryption.key into the data directory or set MODELMUX_ENCRYPTION_KEY, then restore again`,
      )
    }
  }
  const settings = db.query("SELECT value FROM settings WHERE key = 'settings'").get() as { value: string } | null
  if (settings) {
    let parsed: unknown
    try {
      parsed = JSON.parse(settings.value)
    } catch {
      throw new Refused('the backup\'s settings are not valid JSON')
    }
    const checked = settingsSchema.safeParse(parsed)
    if (!checked.success) throw new Refused(`the backup's settings are invalid (${checked.error.issues[0].path.join('.')}: ${checked.error.issues[0].message})`)
  }
  return version
}


/** Column names of a table in a schema ('main' or an attached one). */
function columnsOf(db: Database, schema: string, table: string): string[] {
  return (db.query(`PRAGMA ${schema}.table_info(${table})`).all() as { name: string }[]).map((row) => row.name)
}

/** Validates an uploaded backup and, when it is sound, makes it the live configuration; a refusal changes nothing. */
export function restoreDatabase(context: AppContext, bytes: Uint8Array): RestoreResult {
  if (bytes.byteLength < 100 || new TextDecoder().decode(bytes.subarray(0, 16)) !== SQLITE_HEADER) {
    return { ok: false, error: 'not a SQLite database (choose a modelmux backup file, .db)' }
  }
  const directory = mkdtempSync(join(tmpdir(), 'modelmux-restore-'))
  try {
    const uploaded = join(directory, 'uploaded.db')
    writeFileSync(uploaded, bytes, { mode: 0o600 })
    let version: number
    let candidate: Database | undefined
    try {
      candidate = new Database(uploaded, { readonly: true })
      version = checkCandidate(candidate, context.encryptionKey)
    } catch (error) {
      if (error instanceof Refused) return { ok: false, error: error.message }
      return { ok: false, error: `the file is damaged (${(error as Error).message})` }
    } finally {
      candidate?.close()
    }
    // An older backup is migrated on a private copy, so its tables have today's columns.
    let source = uploaded
    if (version < migrations.length) {
      source = join(directory, 'migrated.db')
      copyFileSync(uploaded, source)
      const writable = new Database(source)
      try {
        migrate(writable)
      } catch (error) {
        return { ok: false, error: `the backup could not be upgraded (${(error as Error).message})` }
      } finally {
        writable.close()
      }
    }
    const backupPath = keepCopy(context.db, 'modelmux-before-restore', context.now(), context.runtime.dataDir)!
    try {
      return { ok: true, backupPath, counts: replaceTables(context, source) }
    } catch (error) {
      return { ok: false, error: `the backup could not be applied; nothing changed (${(error as Error).message})` }
    }
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

/** Copies the config tables of `source` over the live ones in one transaction, then reloads routing. */
function replaceTables(context: AppContext, source: string): Record<string, number> {
  const db = context.db
  db.query("ATTACH DATABASE ? AS restore_source").run(source)
  const counts: Record<string, number> = {}
  try {
    db.transaction(() => {
      for (const table of restoredTables) {
        const incoming = new Set(columnsOf(db, 'restore_source', table))
        const columns = columnsOf(db, 'main', table).filter((column) => incoming.has(column))
        const list = columns.map((column) => `"${column}"`).join(', ')
        const kept = table === 'settings' ? ` WHERE key NOT IN (${keptSettingKeys.map((key) => `'${key}'`).join(', ')})` : ''
        db.exec(`DELETE FROM main.${table}${kept}`)
        counts[table] = db.query(`INSERT INTO main.${table} (${list}) SELECT ${list} FROM restore_source.${table}${kept}`).run().changes
      }
      // Reloading inside the transaction: a snapshot that cannot be built rolls everything back.
      context.reload()
    })()
  } catch (error) {
    context.reload()
    throw error
  } finally {
    db.exec('DETACH DATABASE restore_source')
  }
  for (const { connection } of context.registry.connections) context.health.clear(connection.id)
  return counts
}
