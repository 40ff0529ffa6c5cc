import type { Database } from 'bun:sqlite'
import type { RuntimeConfig } from '../config/env'
import type { Registry } from './registry'
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
  /** Injected so tests can point upstream calls anywhere. */
  fetch: typeof fetch
  now(): number
  version: string
}
