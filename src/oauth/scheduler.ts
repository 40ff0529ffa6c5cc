/**
 * The background side of OAuth: refresh passes (tokens within their provider's lead time are refreshed
 * before any request needs them), quota passes, and a registry reload when another process — the
 * `modelmux login` command — wrote the database.
 * @module
 */
import type { Database } from 'bun:sqlite'
import type { Connection } from '../store/connections'
import type { OAuthTokens, QuotaSnapshot } from './types'

/** What the scheduler needs from the OAuth service. */
export interface SchedulerDeps {
  db: Database
  now(): number
  reload(): void
  /** Enabled subscription connections of the current snapshot. */
  connections(): readonly Connection[]
  leadMs(connection: Connection): number
  hasQuota(connection: Connection): boolean
  tokensOf(connection: Connection): OAuthTokens | undefined
  refresh(connection: Connection): Promise<OAuthTokens>
  readQuota(connection: Connection): Promise<QuotaSnapshot | undefined>
}

/** SQLite's `data_version`: changes when another connection (another process) committed. */
function dataVersion(db: Database): number {
  try {
    return (db.query('PRAGMA data_version').get() as { data_version: number }).data_version
  } catch {
    return 0
  }
}

/** Refresh and quota passes, and the timer that runs them. */
export function createScheduler(deps: SchedulerDeps) {
  const scheduler = {
    /**
     * One pass: refreshes every connection whose token expires within its provider's lead time.
     * Failures are reported, never thrown (a refused refresh has marked its connection).
     */
    async runRefreshPass(): Promise<{ refreshed: number[]; failed: { id: number; reason: string }[] }> {
      const refreshed: number[] = []
      const failed: { id: number; reason: string }[] = []
      const time = deps.now()
      await Promise.all(
        deps.connections().map(async (connection) => {
          const stored = deps.tokensOf(connection)
          if (!stored || stored.relogin || stored.expiresAt === undefined) return
          if (stored.expiresAt - time > deps.leadMs(connection)) return
          try {
            await deps.refresh(connection)
            refreshed.push(connection.id)
          } catch (error) {
            failed.push({ id: connection.id, reason: (error as Error).message })
          }
        }),
      )
      return { refreshed, failed }
    },
    /** Reads every connection's quota where the provider has a quota API (errors are collected, not thrown). */
    async runQuotaPass(): Promise<{ read: number[]; failed: { id: number; reason: string }[] }> {
      const read: number[] = []
      const failed: { id: number; reason: string }[] = []
      await Promise.all(
        deps.connections().map(async (connection) => {
          if (!deps.hasQuota(connection) || deps.tokensOf(connection)?.relogin) return
          try {
            if (await deps.readQuota(connection)) read.push(connection.id)
          } catch (error) {
            failed.push({ id: connection.id, reason: (error as Error).message })
          }
        }),
      )
      return { read, failed }
    },
    /**
     * Starts the timer: a refresh pass every `intervalMs` (default 60 s), a quota pass every
     * `quotaIntervalMs` (default 10 min; 0 = never), a registry reload when another process wrote the
     * database. The first pass runs at once. Returns a function that stops it.
     */
    startScheduler(options: { intervalMs?: number; quotaIntervalMs?: number } = {}): () => void {
      const intervalMs = options.intervalMs ?? 60_000
      const quotaIntervalMs = options.quotaIntervalMs ?? 10 * 60_000
      let lastDataVersion = dataVersion(deps.db)
      let lastQuota = -Infinity
      let running = false
      let stopped = false
      const tick = async () => {
        if (running || stopped) return
        running = true
        try {
          const version = dataVersion(deps.db)
          if (version !== lastDataVersion) {
            lastDataVersion = version
            deps.reload()
          }
          await scheduler.runRefreshPass()
          if (quotaIntervalMs > 0 && deps.now() - lastQuota >= quotaIntervalMs) {
            lastQuota = deps.now()
            await scheduler.runQuotaPass()
          }
        } catch (error) {
          if (!stopped) console.error('modelmux: oauth scheduler', error)
        } finally {
          running = false
        }
      }
      const timer = setInterval(tick, intervalMs)
      timer.unref?.()
      queueMicrotask(tick)
      return () => {
        stopped = true
        clearInterval(timer)
      }
    },
  }
  return scheduler
}
