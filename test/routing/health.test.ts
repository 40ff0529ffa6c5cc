import { expect, test } from 'bun:test'
import { createHealthTracker, defaultHealthOptions } from '../../src/services/health'

function clock(start = 1_000_000) {
  let time = start
  return { now: () => time, advance: (ms: number) => (time += ms) }
}

const options = { ...defaultHealthOptions, breakerThreshold: 3, breakerBaseMs: 1000, breakerMaxMs: 8000, backoffBaseMs: 500, backoffMaxMs: 4000 }

test('a rate limit with a reset time cools the account down until exactly then', () => {
  const time = clock()
  const health = createHealthTracker(time.now, () => 0.5, options)
  health.failed(1, 'm', { class: 'rate-limit', resetAt: time.now() + 30_000, perModel: false, reason: 'rate limited (429)' })
  expect(health.check(1, 'm')).toMatchObject({ kind: 'rate-limit', until: time.now() + 30_000 })
  expect(health.check(1, 'other-model')).toMatchObject({ kind: 'rate-limit' })
  expect(health.state(1)).toMatchObject({ state: 'cooling-down', reason: 'rate limited (429)' })
  time.advance(30_001)
  expect(health.check(1, 'm')).toBeUndefined()
  expect(health.state(1).state).toBe('healthy')
})

test('per-model limits leave the account\'s other models alone', () => {
  const time = clock()
  const health = createHealthTracker(time.now, () => 0.5, options)
  health.failed(1, 'gemini-pro', { class: 'rate-limit', resetAt: time.now() + 10_000, perModel: true, reason: 'quota' })
  expect(health.check(1, 'gemini-pro')).toBeDefined()
  expect(health.check(1, 'gemini-flash')).toBeUndefined()
  expect(health.state(1).models).toEqual([{ model: 'gemini-pro', until: time.now() + 10_000, reason: 'quota' }])
})

test('without a reset time, backoff grows exponentially and is capped', () => {
  const time = clock()
  const health = createHealthTracker(time.now, () => 0.5, options)
  const waits: number[] = []
  for (let i = 0; i < 6; i++) {
    health.failed(1, 'm', { class: 'rate-limit', perModel: false, reason: '429' })
    const until = health.check(1, 'm')!.until!
    waits.push(until - time.now())
    time.advance(until - time.now() + 1)
  }
  expect(waits).toEqual([500, 1000, 2000, 4000, 4000, 4000])
  health.succeeded(1, 'm')
  health.failed(1, 'm', { class: 'rate-limit', perModel: false, reason: '429' })
  expect(health.check(1, 'm')!.until! - time.now()).toBe(500)
})

test('the circuit opens after repeated faults, half-opens for one probe, closes on success', () => {
  const time = clock()
  const health = createHealthTracker(time.now, () => 0.5, options)
  const fault = { class: 'transient' as const, perModel: false, reason: '503' }
  health.failed(1, 'm', fault)
  health.failed(1, 'm', fault)
  expect(health.check(1, 'm')).toBeUndefined()
  health.failed(1, 'm', fault)
  expect(health.check(1, 'm')).toMatchObject({ kind: 'circuit' })
  expect(health.state(1).state).toBe('circuit-open')
  time.advance(1001)
  expect(health.state(1).state).toBe('half-open')
  expect(health.check(1, 'm')).toBeUndefined()
  expect(health.check(1, 'm')).toMatchObject({ kind: 'circuit', reason: expect.stringContaining('probe') })
  // The probe fails: open again, for longer.
  health.failed(1, 'm', fault)
  expect(health.check(1, 'm')!.until! - time.now()).toBe(2000)
  time.advance(2001)
  expect(health.check(1, 'm')).toBeUndefined()
  health.succeeded(1, 'm')
  expect(health.state(1)).toMatchObject({ state: 'healthy', consecutiveFailures: 0 })
  expect(health.check(1, 'm')).toBeUndefined()
})

test('credential failures mark the connection until cleared; client errors change nothing', () => {
  const time = clock()
  const health = createHealthTracker(time.now, () => 0.5, options)
  health.failed(2, 'm', { class: 'client', perModel: false, reason: 'bad request' })
  health.failed(2, 'm', { class: 'context-length', perModel: true, reason: 'too long' })
  expect(health.state(2).state).toBe('healthy')
  health.failed(2, 'm', { class: 'auth', perModel: false, reason: 'credential refused (401)' })
  expect(health.check(2, 'm')).toMatchObject({ kind: 'auth' })
  expect(health.state(2).state).toBe('needs-relogin')
  health.clear(2)
  expect(health.check(2, 'm')).toBeUndefined()
})

test('failed probes push the circuit back further: up to a short limit for answered failures, far longer for timeouts', () => {
  const periods = (slow: boolean) => {
    const time = clock()
    const health = createHealthTracker(time.now, () => 0.5, { ...options, breakerFastMaxMs: 3000 })
    const failure = { class: 'transient' as const, perModel: false, reason: slow ? 'timed out' : '503', slow }
    for (let i = 0; i < 3; i++) health.failed(1, 'm', failure)
    const waits: number[] = []
    for (let i = 0; i < 5; i++) {
      const until = health.check(1, 'm')!.until!
      waits.push(until - time.now())
      time.advance(until - time.now() + 1)
      expect(health.check(1, 'm')).toBeUndefined() // this request is the probe
      health.failed(1, 'm', failure)
    }
    return waits
  }
  // A down provider that answers 503 is probed every few seconds, so its recovery is seen soon.
  expect(periods(false)).toEqual([1000, 2000, 3000, 3000, 3000])
  // One that goes silent costs each probe a timeout: it is left alone longer and longer.
  expect(periods(true)).toEqual([1000, 2000, 4000, 8000, 8000])
})
