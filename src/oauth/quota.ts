/**
 * Quota snapshots read from providers' usage endpoints, kept in memory per connection, and the check
 * routing calls: an account known to be exhausted is skipped until its window resets.
 * @module
 */
import type { QuotaSnapshot, QuotaWindow } from './types'

/** Why an account is skipped, in the health tracker's `Unavailable` shape. */
export interface QuotaUnavailable {
  kind: 'rate-limit'
  until?: number
  reason: string
}

/** A window with nothing left. */
export function isExhausted(window: QuotaWindow): boolean {
  if (window.unlimited) return false
  if (window.remaining !== undefined) return window.remaining <= 0
  if (window.usedPercent !== undefined) return window.usedPercent >= 100
  if (window.used !== undefined && window.total !== undefined && window.total > 0) return window.used >= window.total
  return false
}

/** In-memory quota snapshots by connection id. */
export function createQuotaStore(now: () => number) {
  const snapshots = new Map<number, QuotaSnapshot>()
  return {
    set(snapshot: QuotaSnapshot): void {
      snapshots.set(snapshot.connectionId, snapshot)
    },
    get(connectionId: number): QuotaSnapshot | undefined {
      return snapshots.get(connectionId)
    },
    all(): QuotaSnapshot[] {
      return [...snapshots.values()]
    },
    delete(connectionId: number): void {
      snapshots.delete(connectionId)
    },
    /**
     * Whether routing should skip this account for this model: some window that covers the model is
     * exhausted and resets in the future. A window without a reset time blocks only until the next
     * quota read (snapshots are refreshed by the scheduler), never forever: it is ignored here.
     */
    check(connectionId: number, model: string): QuotaUnavailable | undefined {
      const snapshot = snapshots.get(connectionId)
      if (!snapshot) return undefined
      const time = now()
      let blocking: QuotaWindow | undefined
      for (const window of snapshot.windows) {
        if (window.models && !window.models.some((name) => name === model || model.startsWith(`${name}-`))) continue
        if (!isExhausted(window) || window.resetAt === undefined || window.resetAt <= time) continue
        if (!blocking || window.resetAt! > blocking.resetAt!) blocking = window
      }
      if (!blocking) return undefined
      return { kind: 'rate-limit', until: blocking.resetAt, reason: `${snapshot.provider} quota "${blocking.name}" used up until ${new Date(blocking.resetAt!).toISOString()}` }
    },
  }
}

/** The quota store's interface. */
export type QuotaStore = ReturnType<typeof createQuotaStore>
