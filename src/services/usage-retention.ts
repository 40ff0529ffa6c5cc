import type { Database } from 'bun:sqlite'
import type { Settings } from '../config/file'
import { pruneRawUsage } from '../store/usage-queries'
import type { AppContext } from './context'

/** Defaults: raw usage events and attempts for 90 days, request logs (full bodies) for 7; rollups forever. */
export const defaultRetention = { usageDays: 90, requestLogDays: 7 }

const DAY_MS = 86_400_000

/**
 * Switches the database to incremental auto-vacuum once (that takes one full VACUUM), so pruned pages can
 * be handed back to the file system later without rewriting the whole file. Returns whether it switched.
 */
export function ensureIncrementalVacuum(db: Database): boolean {
  const mode = (db.query('PRAGMA auto_vacuum').get() as { auto_vacuum: number }).auto_vacuum
  if (mode === 2) return false
  db.exec('PRAGMA auto_vacuum = INCREMENTAL')
  db.exec('VACUUM')
  return true
}

/** Deletes raw rows past their retention, then returns the freed pages to the file system. */
export function pruneUsage(db: Database, retention: Settings['retention'], now: number): { deleted: number; freedPages: number } {
  const usageDays = retention?.usageDays ?? defaultRetention.usageDays
  const requestLogDays = retention?.requestLogDays ?? defaultRetention.requestLogDays
  const deleted = pruneRawUsage(db, { usage: now - usageDays * DAY_MS, requestLogs: now - requestLogDays * DAY_MS })
  const free = (db.query('PRAGMA freelist_count').get() as { freelist_count: number }).freelist_count
  if (free > 0) {
    db.exec('PRAGMA incremental_vacuum')
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  }
  return { deleted, freedPages: free }
}

/** A periodic job; stop it with `stop()`. */
export interface RetentionJob {
  /** Prunes now (also what the timer does). */
  runNow(): { deleted: number; freedPages: number }
  stop(): void
}

/**
 * Starts the retention job: the first run after `firstRunMs` (so start-up stays fast), then every
 * `intervalMs`. Errors are logged and the job keeps its schedule.
 */
export function startUsageRetention(context: AppContext, options: { intervalMs?: number; firstRunMs?: number } = {}): RetentionJob {
  let switched = false
  const runNow = () => {
    if (!switched) {
      switched = true
      if (ensureIncrementalVacuum(context.db)) console.error('modelmux: database switched to incremental auto-vacuum')
    }
    return pruneUsage(context.db, context.registry.settings.retention, context.now())
  }
  const run = () => {
    try {
      runNow()
    } catch (error) {
      console.error(`modelmux: usage retention failed: ${(error as Error).message}`)
    }
  }
  let interval: ReturnType<typeof setInterval> | undefined
  const first = setTimeout(() => {
    run()
    interval = setInterval(run, options.intervalMs ?? 3_600_000)
    interval.unref?.()
  }, options.firstRunMs ?? 60_000)
  first.unref?.()
  return {
    runNow,
    stop() {
      clearTimeout(first)
      if (interval) clearInterval(interval)
    },
  }
}
