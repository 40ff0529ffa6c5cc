import type { Database } from 'bun:sqlite'
import type { RuntimeConfig } from '../config/env'
import type { ShutdownSwitch } from '../upstream/call-upstream'
import type { HealthTracker } from './health'
import type { UpstreamQuirks } from './upstream-quirks'
import type { Registry } from './registry'
import type { Router } from './routing'
import type { UsageRecorder } from './usage-recorder'

/** Everything services need, built once at start and handed down explicitly. */
export interface AppContext {
  db: Database
  runtime: RuntimeConfig
  encryptionKey: Buffer
  jwtSecret: string
  /** The current routing snapshot; replaced (never mutated) by reload(). */
  registry: Registry
  /** Rebuilds the registry from the store after a write. */
  reload(): void
  usage: UsageRecorder
  /** Cooldowns, circuit breakers and credential failures, per connection (in memory). */
  health: HealthTracker
  /** Account pool order and conversation affinity. */
  router: Router
  /** What upstreams said they will not take (output caps, parameters), per connection and model. */
  quirks: UpstreamQuirks
  /** The process environment (proxy variables, provider settings), injected so services never read globals. */
  env: Readonly<Record<string, string | undefined>>
  /** Called on every proxied request (the idle collector watches it). */
  onActivity?: () => void
  /** Ends the upstream calls in progress when the server shuts down. */
  shutdown?: ShutdownSwitch
  /** Injected so tests can point upstream calls anywhere. */
  fetch: typeof fetch
  now(): number
  version: string
}
