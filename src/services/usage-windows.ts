/** The accounting windows a quota or budget is counted over. */
export type WindowKind = '5h' | 'daily' | 'weekly' | 'monthly'

/** Where calendar windows reset: an IANA time zone, an hour of the local day, a weekday (0 = Sunday), a day of the month. */
export interface ResetRule {
  timeZone: string
  resetHour: number
  weekStartsOn: number
  monthResetDay: number
}

/** The span a window covers right now; `end` is the next reset (for a rolling window: now, see `rollingResetAt`). */
export interface WindowBounds {
  kind: WindowKind
  start: number
  end: number
}

/** Defaults: windows reset at local midnight (UTC unless configured), weeks start on Monday, months on the 1st. */
export const defaultResetRule: ResetRule = { timeZone: 'UTC', resetHour: 0, weekStartsOn: 1, monthResetDay: 1 }

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const ROLLING_MS = 5 * HOUR_MS

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** True when the runtime's Intl knows the IANA time zone. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone)
    return true
  } catch {
    return false
  }
}

/** The local wall-clock fields of an instant in a time zone. */
export interface LocalTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

/** Reads an instant's wall-clock time in a time zone, via Intl (UTC, the default zone, straight from the date). */
export function localTime(at: number, timeZone: string): LocalTime {
  if (timeZone === 'UTC') {
    const date = new Date(at)
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: date.getUTCHours(), minute: date.getUTCMinutes(), second: date.getUTCSeconds() }
  }
  const fields: Record<string, number> = {}
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value)
  }
  return { year: fields.year, month: fields.month, day: fields.day, hour: fields.hour % 24, minute: fields.minute, second: fields.second }
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export function zoneOffset(at: number, timeZone: string): number {
  const whole = Math.floor(at / 1000) * 1000
  const local = localTime(whole, timeZone)
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) - whole
}

/**
 * The instant a local wall-clock time happens in a time zone. A time skipped by a DST jump resolves to the
 * moment just after the jump (02:30 on a spring-forward day → 03:30); a repeated time to its first occurrence.
 */
export function zonedTimeToInstant(year: number, month: number, day: number, hour: number, timeZone: string, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute)
  const before = zoneOffset(wall - DAY_MS, timeZone)
  const after = zoneOffset(wall + DAY_MS, timeZone)
  const matches = [wall - before, wall - after].filter((at) => wall - at === zoneOffset(at, timeZone))
  if (matches.length > 0) return Math.min(...matches)
  return wall - before
}

/** Days in a month (month 1–12), by the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** Shifts a local calendar date by whole days or months, normalising overflow. */
function shiftDate(year: number, month: number, day: number, days: number, months = 0): { year: number; month: number; day: number } {
  const date = new Date(Date.UTC(year, month - 1 + months, day + days))
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }
}

function monthlyReset(year: number, month: number, rule: ResetRule): number {
  const normalised = shiftDate(year, month, 1, 0)
  const day = Math.min(rule.monthResetDay, daysInMonth(normalised.year, normalised.month))
  return zonedTimeToInstant(normalised.year, normalised.month, day, rule.resetHour, rule.timeZone)
}

/** The current window of a kind at `now`: calendar windows reset at the rule's local hour, `5h` rolls. */
export function windowBounds(kind: WindowKind, now: number, rule: ResetRule = defaultResetRule): WindowBounds {
  // A request exactly five hours old has just dropped out, so the rolling window starts one ms later.
  if (kind === '5h') return { kind, start: now - ROLLING_MS + 1, end: now }
  const local = localTime(now, rule.timeZone)
  if (kind === 'monthly') {
    let start = monthlyReset(local.year, local.month, rule)
    let end = monthlyReset(local.year, local.month + 1, rule)
    if (start > now) {
      end = start
      start = monthlyReset(local.year, local.month - 1, rule)
    }
    return { kind, start, end }
  }
  let days = 0
  if (kind === 'weekly') {
    const weekday = new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay()
    days = -((weekday - rule.weekStartsOn + 7) % 7)
  }
  const step = kind === 'weekly' ? 7 : 1
  const at = (offset: number) => {
    const date = shiftDate(local.year, local.month, local.day, offset)
    return zonedTimeToInstant(date.year, date.month, date.day, rule.resetHour, rule.timeZone)
  }
  let start = at(days)
  if (start > now) days -= step
  start = at(days)
  return { kind, start, end: at(days + step) }
}

/** When a rolling window frees its oldest usage: the oldest counted request plus the window length. */
export function rollingResetAt(oldestAt: number | undefined): number | undefined {
  return oldestAt === undefined ? undefined : oldestAt + ROLLING_MS
}

/** The local hour, day or month an instant falls in, as a sortable label (`2026-03-08T02:00`, `2026-03-08`, `2026-03`). */
export function localBucketLabel(at: number, granularity: 'hour' | 'day' | 'month', timeZone: string): string {
  const local = localTime(at, timeZone)
  const pad = (value: number) => String(value).padStart(2, '0')
  if (granularity === 'month') return `${local.year}-${pad(local.month)}`
  if (granularity === 'day') return `${local.year}-${pad(local.month)}-${pad(local.day)}`
  return `${local.year}-${pad(local.month)}-${pad(local.day)}T${pad(local.hour)}:00`
}
