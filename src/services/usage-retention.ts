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

/** The raw-row cutoffs of a retention setting at `now`. */
function cutoffsOf(retention: Settings['retention'], now: number) {
  const usageDays = retention?.usageDays ?? defaultRetention.usageDays
  const requestLogDays = retention?.requestLogDays ?? defaultRetention.requestLogDays
  return { usage: now - usageDays * DAY_MS, requestLogs: now - requestLogDays * DAY_MS }
}

/** Deletes raw rows past their retention, then returns the freed pages to the file system. */
export function pruneUsage(db: Database, retention: Settings['retention'], now: number): { deleted: number; freedPages: number } {
  const deleted = pruneRawUsage(db, cutoffsOf(retention, now))
  const freedPages = vacuumFreePages(db)
  if (freedPages > 0) db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  return { deleted, freedPages }
}

/** Hands free pages back to the file system (at most `pages` of them); returns how many were free before. */
function vacuumFreePages(db: Database, pages?: number): number {
  const free = (db.query('PRAGMA freelist_count').get() as { freelist_count: number }).freelist_count
  if (free > 0) db.exec(pages === undefined ? 'PRAGMA incremental_vacuum' : `PRAGMA incremental_vacuum(${pages})`)
  return free
}

// One slice of a gradual prune: about a few milliseconds of work, so a request never waits behind a large one.
const SLICE_ROWS = 1_000
const SLICE_PAGES = 1_000
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/**
 * {@link pruneUsage} in slices, letting the event loop serve requests between them: cutting retention from 90 to
 * 7 days over a million requests was one 2-second stall. `stopped` ends it early between slices.
 */
export async function pruneUsageGradually(
  db: Database,
  retention: Settings['retention'],
  now: number,
  stopped: () => boolean = () => false,
): Promise<{ deleted: number; freedPages: number }> {
  const cutoffs = cutoffsOf(retention, now)
  let deleted = 0
  for (;;) {
    const slice = pruneRawUsage(db, cutoffs, SLICE_ROWS, SLICE_ROWS)
    deleted += slice
    if (slice < SLICE_ROWS || stopped()) break
    await nextTurn()
  }
  let freedPages = 0
  while (!stopped()) {
    const free = vacuumFreePages(db, SLICE_PAGES)
    freedPages += Math.min(free, SLICE_PAGES)
    if (free <= SLICE_PAGES) break
    await nextTurn()
  }
  if (freedPages > 0) db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  return { deleted, freedPages }
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
  let stopped = false
  let running = false
  const switchOnce = () => {
    if (switched) return
    switched = true
    if (ensureIncrementalVacuum(context.db)) console.error('modelmux: database switched to incremental auto-vacuum')
  }
  const runNow = () => {
    switchOnce()
    return pruneUsage(context.db, context.registry.settings.retention, context.now())
  }
  const run = async () => {
    if (running) return
    running = true
    try {
      switchOnce()
      await pruneUsageGradually(context.db, context.registry.settings.retention, context.now(), () => stopped)
    } catch (error) {
      console.error(`modelmux: usage retention failed: ${(error as Error).message}`)
    } finally {
      running = false
    }
  }
  let interval: ReturnType<typeof setInterval> | undefined
  const first = setTimeout(() => {
    void run()
    interval = setInterval(() => void run(), options.intervalMs ?? 3_600_000)
    interval.unref?.()
  }, options.firstRunMs ?? 60_000)
  first.unref?.()
  return {
    runNow,
    stop() {
      stopped = true
      clearTimeout(first)
      if (interval) clearInterval(interval)
    },
  }
}
