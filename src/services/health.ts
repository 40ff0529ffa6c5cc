import type { ClassifiedFailure } from '../core/classify-failure'

/** What the dashboard and API show for a connection. */
export interface ConnectionState {
  state: 'healthy' | 'cooling-down' | 'circuit-open' | 'half-open' | 'needs-relogin'
  /** When the connection becomes usable again (ms), if it will by itself. */
  until?: number
  reason?: string
  consecutiveFailures: number
  /** Models cooling down on this connection (per-model limits). */
  models: { model: string; until: number; reason: string }[]
}

interface Entry {
  consecutiveFailures: number
  backoffLevel: number
  cooldownUntil: number
  cooldownReason?: string
  circuitUntil: number
  circuitLevel: number
  probing: boolean
  authFailed?: string
  models: Map<string, { until: number; reason: string; level: number }>
}

/** Why a connection (or one of its models) is skipped right now. */
export interface Unavailable {
  until?: number
  reason: string
  kind: 'rate-limit' | 'circuit' | 'auth'
}

/** Tunables of the health tracker (tests shrink them). */
export interface HealthOptions {
  /** Consecutive transient failures that open the circuit. */
  breakerThreshold: number
  /** First circuit-open period; doubles on each failed probe up to `breakerMaxMs` (timeouts) or `breakerFastMaxMs` (answered failures). */
  breakerBaseMs: number
  breakerMaxMs: number
  /** Longest circuit-open period for failures the upstream answers quickly: a probe of those costs little, and a recovery is seen soon. */
  breakerFastMaxMs: number
  /** First rate-limit backoff when the upstream gives no reset time; doubles up to `backoffMaxMs`. */
  backoffBaseMs: number
  backoffMaxMs: number
}

/** Defaults: a silent or failing account is left alone for seconds, growing to minutes, never forever. */
export const defaultHealthOptions: HealthOptions = {
  breakerThreshold: 3,
  breakerBaseMs: 15_000,
  breakerMaxMs: 5 * 60_000,
  breakerFastMaxMs: 20_000,
  backoffBaseMs: 5_000,
  backoffMaxMs: 10 * 60_000,
}

/**
 * In-memory health of every connection: rate-limit cooldowns (per account or per model), a circuit
 * breaker for repeated faults, and credential failures. Everything expires by itself; nothing needs a restart.
 */
export function createHealthTracker(now: () => number, random: () => number = Math.random, options: HealthOptions = defaultHealthOptions) {
  const entries = new Map<number, Entry>()
  const entry = (id: number): Entry => {
    let found = entries.get(id)
    if (!found) {
      found = { consecutiveFailures: 0, backoffLevel: 0, cooldownUntil: 0, circuitUntil: 0, circuitLevel: 0, probing: false, models: new Map() }
      entries.set(id, found)
    }
    return found
  }
  const jitter = (ms: number) => Math.round(ms * (0.85 + random() * 0.3))

  return {
    /** Whether a request may use this connection and model now; claims the half-open probe when it is the one. */
    check(connectionId: number, model: string): Unavailable | undefined {
      const found = entries.get(connectionId)
      if (!found) return undefined
      const time = now()
      if (found.authFailed) return { kind: 'auth', reason: found.authFailed }
      if (found.cooldownUntil > time) return { kind: 'rate-limit', until: found.cooldownUntil, reason: found.cooldownReason ?? 'rate limited' }
      const modelCooldown = found.models.get(model)
      if (modelCooldown && modelCooldown.until > time) return { kind: 'rate-limit', until: modelCooldown.until, reason: modelCooldown.reason }
      if (found.circuitUntil > time) return { kind: 'circuit', until: found.circuitUntil, reason: `circuit open after ${found.consecutiveFailures} failures` }
      if (found.circuitUntil > 0) {
        // Half-open: exactly one request probes; the rest wait for its verdict.
        if (found.probing) return { kind: 'circuit', reason: 'circuit half-open: a probe request is in flight' }
        found.probing = true
      }
      return undefined
    },
    /** A request on this connection and model succeeded. */
    succeeded(connectionId: number, model: string): void {
      const found = entries.get(connectionId)
      if (!found) return
      found.consecutiveFailures = 0
      found.backoffLevel = 0
      found.circuitUntil = 0
      found.circuitLevel = 0
      found.probing = false
      found.models.delete(model)
    },
    /** A request failed; acts on the failure's class. */
    failed(connectionId: number, model: string, failure: ClassifiedFailure): void {
      const found = entry(connectionId)
      const time = now()
      found.probing = false
      if (failure.class === 'rate-limit') {
        const level = failure.perModel ? (found.models.get(model)?.level ?? 0) : found.backoffLevel
        const until = failure.resetAt && failure.resetAt > time ? failure.resetAt : time + jitter(Math.min(options.backoffBaseMs * 2 ** level, options.backoffMaxMs))
        if (failure.perModel) found.models.set(model, { until, reason: failure.reason, level: level + 1 })
        else {
          found.cooldownUntil = until
          found.cooldownReason = failure.reason
          found.backoffLevel = level + 1
        }
        return
      }
      if (failure.class === 'auth') {
        found.authFailed = failure.reason
        return
      }
      if (failure.class !== 'transient') return
      found.consecutiveFailures++
      const reopening = found.circuitUntil > 0
      if (reopening || found.consecutiveFailures >= options.breakerThreshold) {
        const longest = failure.slow ? options.breakerMaxMs : Math.min(options.breakerFastMaxMs, options.breakerMaxMs)
        found.circuitUntil = time + jitter(Math.min(options.breakerBaseMs * 2 ** found.circuitLevel, longest))
        found.circuitLevel++
      }
    },
    /** Releases a half-open probe that ended without a verdict (the client left). */
    release(connectionId: number): void {
      const found = entries.get(connectionId)
      if (found) found.probing = false
    },
    /** Clears every cooldown, circuit and credential mark of a connection (by hand, or after a new login). */
    clear(connectionId: number): void {
      entries.delete(connectionId)
    },
    /** The state to show for a connection. */
    state(connectionId: number): ConnectionState {
      const found = entries.get(connectionId)
      const time = now()
      if (!found) return { state: 'healthy', consecutiveFailures: 0, models: [] }
      const models = [...found.models].filter(([, value]) => value.until > time).map(([model, value]) => ({ model, until: value.until, reason: value.reason }))
      const base = { consecutiveFailures: found.consecutiveFailures, models }
      if (found.authFailed) return { ...base, state: 'needs-relogin', reason: found.authFailed }
      if (found.cooldownUntil > time) return { ...base, state: 'cooling-down', until: found.cooldownUntil, reason: found.cooldownReason }
      if (found.circuitUntil > time) return { ...base, state: 'circuit-open', until: found.circuitUntil, reason: `${found.consecutiveFailures} consecutive failures` }
      if (found.circuitUntil > 0) return { ...base, state: 'half-open', reason: 'next request probes the upstream' }
      return { ...base, state: 'healthy' }
    },
  }
}

/** The health tracker's interface. */
export type HealthTracker = ReturnType<typeof createHealthTracker>
