/**
 * Injected time and id sources. `src/core` and `src/formats` never read the clock or make random
 * ids themselves: callers pass these in, so tests are deterministic. The real (impure) ones are
 * built by the service layer, e.g. `{ now: () => Date.now() }` and `crypto.randomUUID`.
 * @module
 */

/** Current time in epoch milliseconds. */
export interface Clock {
  now(): number
}

/** Makes a fresh id with the given prefix (`msg_`, `chatcmpl-`, `call_`, `toolu_`…). */
export type IdGenerator = (prefix: string) => string

/** What a response or stream encoder may need beyond the IR itself. */
export interface EncodeContext {
  clock: Clock
  ids: IdGenerator
  /** Model name to show the client instead of the upstream's (e.g. `cc/claude-opus-4-6`). */
  model?: string
}

/** A time as file names carry it: `20261125T101500` (UTC, to the second). */
export function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')
}

/** A clock that always returns `ms` (tests). */
export function fixedClock(ms: number): Clock {
  return { now: () => ms }
}

/** Ids `<prefix>1`, `<prefix>2`, … counted per generator (tests, deterministic snapshots). */
export function sequentialIds(): IdGenerator {
  let counter = 0
  return (prefix) => `${prefix}${++counter}`
}
