import type { Database } from 'bun:sqlite'
import type { AppContext } from './context'
import { noteListedPrices } from './pricing'
import { listConnectionModels } from './provider-check'
import type { ConnectionEntry } from './registry'

// A listing is read again this long after the last read (its prices change rarely), or after a failed one.
const REFRESH_MS = 6 * 3_600_000
const RETRY_MS = 10 * 60_000

// When each provider's listing was last asked for, per database (each server keeps its own).
const askedAt = new WeakMap<Database, Map<string, { at: number; ok: boolean }>>()

/**
 * Reads, in the background, the model listing of a provider whose listing carries prices (`livePrices`), when it was
 * never read or is old: requests to its models are then priced from it, the first ones included when the listing
 * arrives before they are written. Never waits, never fails a request; a failed read is tried again later.
 */
export function readLivePrices(context: AppContext, entry: ConnectionEntry): void {
  const { provider, connection } = entry
  if (!provider.livePrices) return
  let asked = askedAt.get(context.db)
  if (!asked) askedAt.set(context.db, (asked = new Map()))
  const now = context.now()
  const last = asked.get(provider.id)
  if (last && now - last.at < (last.ok ? REFRESH_MS : RETRY_MS)) return
  const attempt = { at: now, ok: true }
  asked.set(provider.id, attempt)
  void listConnectionModels(provider, connection, { fetch: context.fetch, now: context.now, env: context.env, refresh: true })
    .then((list) => {
      attempt.ok = list.live && !list.error
      if (attempt.ok) noteListedPrices(context.db, provider.id, list.models)
    })
    .catch(() => {
      attempt.ok = false
    })
}
