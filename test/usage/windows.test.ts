import { describe, expect, test } from 'bun:test'
import { localBucketLabel, localTime, windowBounds, zonedTimeToInstant, type ResetRule } from '../../src/services/usage-windows'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()
const span = (bounds: { start: number; end: number }) => [iso(bounds.start), iso(bounds.end)]
const newYork: ResetRule = { timeZone: 'America/New_York', resetHour: 0, weekStartsOn: 1, monthResetDay: 1 }
const kolkata: ResetRule = { timeZone: 'Asia/Kolkata', resetHour: 0, weekStartsOn: 1, monthResetDay: 1 }

test('UTC, read straight from the date, gives the wall clock Intl gives for a UTC+0 zone', () => {
  let seed = 3
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
  for (let index = 0; index < 500; index++) {
    const instant = Math.floor(random() * 4_102_444_800_000) // 1970 to 2100
    expect(localTime(instant, 'UTC')).toEqual(localTime(instant, 'Etc/GMT'))
  }
  expect(localBucketLabel(at('2026-12-31T23:59:59.999Z'), 'hour', 'UTC')).toBe('2026-12-31T23:00')
})

describe('local wall-clock times across DST', () => {
  test('a time skipped by spring-forward resolves to just after the jump; a repeated one to its first occurrence', () => {
    expect(iso(zonedTimeToInstant(2026, 3, 8, 2, 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z') // 03:00 EDT
    expect(iso(zonedTimeToInstant(2026, 3, 8, 2, 'America/New_York', 30))).toBe('2026-03-08T07:30:00.000Z')
    expect(iso(zonedTimeToInstant(2026, 11, 1, 1, 'America/New_York'))).toBe('2026-11-01T05:00:00.000Z') // 01:00 EDT, not EST
    expect(iso(zonedTimeToInstant(2026, 7, 1, 0, 'Asia/Kolkata'))).toBe('2026-06-30T18:30:00.000Z')
  })
})

describe('daily windows', () => {
  test('reset at local midnight in New York: 23 hours on spring-forward day, 25 on fall-back day', () => {
    expect(span(windowBounds('daily', at('2026-03-08T12:00:00Z'), newYork))).toEqual(['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z'])
    expect(span(windowBounds('daily', at('2026-11-01T12:00:00Z'), newYork))).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z'])
  })

  test('a reset hour inside the DST gap happens at 03:00 that day', () => {
    const rule = { ...newYork, resetHour: 2 }
    expect(span(windowBounds('daily', at('2026-03-08T06:59:59Z'), rule))).toEqual(['2026-03-07T07:00:00.000Z', '2026-03-08T07:00:00.000Z'])
    expect(span(windowBounds('daily', at('2026-03-08T07:00:00Z'), rule))).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:00:00.000Z'])
  })

  test('the window flips exactly at the reset instant (half-hour offset zone)', () => {
    const rule = { ...kolkata, resetHour: 5 }
    expect(span(windowBounds('daily', at('2026-01-15T23:29:59.999Z'), rule))).toEqual(['2026-01-14T23:30:00.000Z', '2026-01-15T23:30:00.000Z'])
    expect(span(windowBounds('daily', at('2026-01-15T23:30:00Z'), rule))).toEqual(['2026-01-15T23:30:00.000Z', '2026-01-16T23:30:00.000Z'])
  })

  test('the same instant is in different local days in different zones', () => {
    const now = at('2026-05-10T20:00:00Z')
    expect(iso(windowBounds('daily', now, kolkata).start)).toBe('2026-05-10T18:30:00.000Z') // already 11 May in India
    expect(iso(windowBounds('daily', now, newYork).start)).toBe('2026-05-10T04:00:00.000Z')
    expect(iso(windowBounds('daily', now).start)).toBe('2026-05-10T00:00:00.000Z')
  })
})

describe('weekly and monthly windows', () => {
  test('weeks start on the configured weekday at the reset hour, in local time', () => {
    // Monday 9 March 2026 00:00 IST = Sunday 18:30 UTC
    expect(span(windowBounds('weekly', at('2026-03-08T18:29:00Z'), kolkata))).toEqual(['2026-03-01T18:30:00.000Z', '2026-03-08T18:30:00.000Z'])
    expect(span(windowBounds('weekly', at('2026-03-08T18:31:00Z'), kolkata))).toEqual(['2026-03-08T18:30:00.000Z', '2026-03-15T18:30:00.000Z'])
    // A New York week (Sunday start) spanning spring-forward is 167 hours long
    const week = windowBounds('weekly', at('2026-03-10T12:00:00Z'), { ...newYork, weekStartsOn: 0 })
    expect(span(week)).toEqual(['2026-03-08T05:00:00.000Z', '2026-03-15T04:00:00.000Z'])
    expect((week.end - week.start) / 3_600_000).toBe(167)
  })

  test('months reset on their day, clamped to short months, across the year boundary', () => {
    expect(span(windowBounds('monthly', at('2026-02-28T18:31:00Z'), kolkata))).toEqual(['2026-02-28T18:30:00.000Z', '2026-03-31T18:30:00.000Z'])
    const on31 = { ...newYork, monthResetDay: 31 }
    expect(span(windowBounds('monthly', at('2026-02-15T12:00:00Z'), on31))).toEqual(['2026-01-31T05:00:00.000Z', '2026-02-28T05:00:00.000Z'])
    expect(span(windowBounds('monthly', at('2026-03-01T12:00:00Z'), on31))).toEqual(['2026-02-28T05:00:00.000Z', '2026-03-31T04:00:00.000Z'])
    expect(span(windowBounds('monthly', at('2026-12-31T06:00:00Z'), { ...kolkata, monthResetDay: 15 }))).toEqual(['2026-12-14T18:30:00.000Z', '2027-01-14T18:30:00.000Z'])
  })

  test('the 5-hour window rolls with the clock', () => {
    expect(span(windowBounds('5h', at('2026-01-01T03:00:00Z')))).toEqual(['2025-12-31T22:00:00.001Z', '2026-01-01T03:00:00.000Z'])
  })
})

test('series labels use the local calendar', () => {
  expect(localBucketLabel(at('2026-03-08T18:30:00Z'), 'day', 'Asia/Kolkata')).toBe('2026-03-09')
  expect(localBucketLabel(at('2026-03-08T18:30:00Z'), 'hour', 'America/New_York')).toBe('2026-03-08T14:00')
  expect(localBucketLabel(at('2026-03-31T23:00:00Z'), 'month', 'Asia/Kolkata')).toBe('2026-04')
})
