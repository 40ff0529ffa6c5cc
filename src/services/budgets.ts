import type { Database } from 'bun:sqlite'
import type { Settings } from '../config/file'
import { ProxyError } from '../core/errors'
import type { ApiKeyRecord } from '../store/api-keys'
import type { UsageEvent } from '../store/usage'
import { oldestUsageAt, sumUsage, type UsageFilter } from '../store/usage-queries'
import type { AppContext } from './context'
import { pricingSnapshot, priceRequest } from './pricing'
import { defaultResetRule, rollingResetAt, windowBounds, type ResetRule, type WindowKind } from './usage-windows'

/** One configured spending limit (see `settings.budgets`). */
export type Budget = NonNullable<Settings['budgets']>[number]

/** Whether routing may use a connection now; `until` is when a blocked one may be used again. */
export interface BudgetVerdict {
  blocked: boolean
  until?: number
  reason?: string
}

/** Usage of one window against its limits, for the dashboard. */
export interface BudgetStatus {
  budget: Budget
  window: { kind: WindowKind; start: number; resetAt?: number; resetInMs?: number }
  used: Used
  /** The larger of tokens/maxTokens and dollars/maxDollars. */
  fraction: number
  warning: boolean
  blocked: boolean
}

/** Used tokens and dollars in a window. */
export interface Used {
  tokens: number
  dollars: number
  requests: number
  /** Requests that used tokens without a known list price (they add nothing to `dollars`). */
  unpriced: number
}

/** Adds one request to a sum: its tokens, what it cost (nothing when unknown), and whether its price was unknown. */
function addRequest(used: Used, row: UsageEvent, cost: { listCost?: number; actualCost?: number }): void {
  const tokens = (row.inputTokens ?? 0) + (row.outputTokens ?? 0)
  used.tokens += tokens
  used.dollars += cost.actualCost ?? 0
  used.requests++
  if (tokens > 0 && cost.listCost === undefined) used.unpriced++
}

const CACHE_MS = 1_000
const DEFAULT_WARN_AT = 0.8

/** A store's sum for a scope from `start`, as read at `at` (rows written since are added as they are committed). */
interface CachedSum {
  at: number
  filter: UsageFilter
  start: number
  used: Used
}
const caches = new WeakMap<Database, Map<string, CachedSum>>()

// Recorders whose committed rows already reach the cached sums.
const watched = new WeakSet<object>()

/**
 * The store sums cached for a context's database. They stay whole while they live: rows the recorder commits after
 * a sum was read (until then counted as pending) are added to it, so none goes uncounted until the sum expires.
 */
function cachedSums(context: AppContext): Map<string, CachedSum> {
  let cache = caches.get(context.db)
  if (!cache) caches.set(context.db, (cache = new Map()))
  if (!watched.has(context.usage)) {
    watched.add(context.usage)
    const db = context.db
    context.usage.onWritten?.((rows) => {
      for (const entry of caches.get(db)?.values() ?? []) {
        for (const row of rows) if (row.at >= entry.start && matches(row, entry.filter)) addRequest(entry.used, row, row)
      }
    })
  }
  return cache
}

/** The reset rule of the settings: time zone, reset hour, first day of the week and of the month. */
export function resetRuleOf(settings: Settings): ResetRule {
  return { ...defaultResetRule, ...settings.quota }
}

function matches(event: UsageEvent, filter: UsageFilter): boolean {
  return (
    (filter.connectionId === undefined || event.connectionId === filter.connectionId) &&
    (filter.provider === undefined || event.provider === filter.provider) &&
    (filter.apiKeyId === undefined || event.apiKeyId === filter.apiKeyId)
  )
}

/**
 * Usage in [start, now) for a scope: the store's sum (cached for a second, so routing never waits on
 * SQLite more than once a second per scope) plus rows the recorder has not written yet.
 */
export function usedInWindow(context: AppContext, filter: UsageFilter, start: number, now: number, cacheKey: string): Used {
  const cache = cachedSums(context)
  let entry = cache.get(cacheKey)
  if (!entry || now - entry.at >= CACHE_MS || now < entry.at) {
    // Up to and including this millisecond: a request recorded just now already counts.
    const totals = sumUsage(context.db, start, now + 1, filter)
    entry = { at: now, filter, start, used: { tokens: totals.inputTokens + totals.outputTokens, dollars: totals.actualCost, requests: totals.requests, unpriced: totals.unpriced } }
    cache.set(cacheKey, entry)
  }
  const used = { ...entry.used }
  const pending = context.usage.pending?.() ?? []
  if (pending.length > 0) {
    const snapshot = pricingSnapshot(context.db, now)
    for (const event of pending) {
      if (event.at < start || !matches(event, filter)) continue
      addRequest(used, event, event.listCost !== undefined || event.actualCost !== undefined ? event : priceRequest(snapshot, event))
    }
  }
  return used
}

/** Forgets cached sums (after settings change or in tests). */
export function clearBudgetCache(db: Database): void {
  caches.delete(db)
}

// A calendar window's cache entry dies with the window; a rolling one is keyed by kind alone.
const cacheStart = (bounds: { kind: WindowKind; start: number }) => (bounds.kind === '5h' ? '5h' : bounds.start)

function scopeOf(context: AppContext, budget: Budget): UsageFilter | undefined {
  if (budget.provider !== undefined) return { provider: budget.provider }
  const entry = context.registry.connections.find(({ connection }) => connection.name === budget.connection)
  return entry ? { connectionId: entry.connection.id } : undefined
}

/** A budget's status; a rolling window's reset time (one more query) is looked up only for `detail` or when it blocks. */
function evaluate(context: AppContext, budget: Budget, index: number, now: number, detail: boolean): BudgetStatus | undefined {
  const filter = scopeOf(context, budget)
  if (!filter) return undefined
  const bounds = windowBounds(budget.window, now, resetRuleOf(context.registry.settings))
  const used = usedInWindow(context, filter, bounds.start, now, `budget:${index}:${JSON.stringify(filter)}:${cacheStart(bounds)}`)
  const fraction = Math.max(budget.maxTokens ? used.tokens / budget.maxTokens : 0, budget.maxDollars ? used.dollars / budget.maxDollars : 0)
  const blocked = fraction >= 1
  const resetAt = budget.window !== '5h' ? bounds.end : detail || blocked ? rollingResetAt(oldestUsageAt(context.db, bounds.start, now, filter)) : undefined
  return {
    budget,
    window: { kind: budget.window, start: bounds.start, resetAt, resetInMs: resetAt === undefined ? undefined : Math.max(0, resetAt - now) },
    used,
    fraction,
    warning: fraction >= (budget.warnAt ?? DEFAULT_WARN_AT),
    blocked,
  }
}

function describe(status: BudgetStatus): string {
  const { budget, used } = status
  const scope = budget.connection !== undefined ? `connection "${budget.connection}"` : `provider "${budget.provider}"`
  const limit =
    budget.maxTokens !== undefined && used.tokens >= budget.maxTokens
      ? `${used.tokens} of ${budget.maxTokens} tokens`
      : `$${used.dollars.toFixed(4)} of $${budget.maxDollars}`
  return `${scope} reached its ${budget.window} budget (${limit})`
}

/**
 * Whether a connection is over a budget of its own or of its provider right now. Routing calls it beside
 * `context.health.check` and skips a blocked connection, so combos fall through to the next tier.
 */
export function budgetCheck(context: AppContext, connectionId: number, providerId: string, now: number = context.now()): BudgetVerdict {
  const budgets = context.registry.settings.budgets
  if (!budgets || budgets.length === 0) return { blocked: false }
  const name = context.registry.connections.find(({ connection }) => connection.id === connectionId)?.connection.name
  let verdict: BudgetVerdict = { blocked: false }
  budgets.forEach((budget, index) => {
    if (budget.provider !== undefined ? budget.provider !== providerId : budget.connection !== name) return
    const status = evaluate(context, budget, index, now, false)
    if (!status?.blocked) return
    // When several budgets block, the connection comes back only when the last of them resets.
    const until = status.window.resetAt
    if (!verdict.blocked || (until !== undefined && (verdict.until === undefined || until > verdict.until))) {
      verdict = { blocked: true, until, reason: describe(status) }
    }
  })
  return verdict
}

/** Every configured budget in settings order, with its status (none when its connection no longer exists). */
export function listBudgets(context: AppContext, now: number = context.now()): { index: number; budget: Budget; status?: BudgetStatus }[] {
  return (context.registry.settings.budgets ?? []).map((budget, index) => ({ index, budget, status: evaluate(context, budget, index, now, true) }))
}

/** Every configured budget with its usage, warning and reset countdown. */
export function listBudgetStatus(context: AppContext, now: number = context.now()): BudgetStatus[] {
  return listBudgets(context, now).flatMap(({ status }) => status ?? [])
}

/** Usage of a connection in each standard window (5-hour rolling, daily, weekly, monthly), with reset countdowns. */
export function listQuotaWindows(context: AppContext, connectionId: number, now: number = context.now()) {
  const rule = resetRuleOf(context.registry.settings)
  return (['5h', 'daily', 'weekly', 'monthly'] as const).map((kind) => {
    const bounds = windowBounds(kind, now, rule)
    const filter = { connectionId }
    const used = usedInWindow(context, filter, bounds.start, now, `quota:${connectionId}:${kind}:${cacheStart(bounds)}`)
    const resetAt = kind === '5h' ? rollingResetAt(oldestUsageAt(context.db, bounds.start, now, filter)) : bounds.end
    return { kind, start: bounds.start, resetAt, resetInMs: resetAt === undefined ? undefined : Math.max(0, resetAt - now), used }
  })
}

const recentRequests = new WeakMap<Database, Map<number, number[]>>()

/** The limits on one client key: its own entry of `settings.keyLimits` over the `*` entry. */
export type KeyLimits = NonNullable<Settings['keyLimits']>[string]

/** A client key's limits, field by field its own entry's, else the `*` entry's. */
export function keyLimitsOf(settings: Settings, keyName: string): KeyLimits {
  const all = settings.keyLimits
  return all ? { ...all['*'], ...all[keyName] } : {}
}

/**
 * Enforces a client key's limits (`settings.keyLimits[name]`, else `["*"]`): requests per minute (a sliding
 * minute, counted here) and tokens per day (the daily window of `settings.quota`). Throws a 429 ProxyError.
 */
export function checkKeyLimits(context: AppContext, apiKey: ApiKeyRecord | null, now: number = context.now()): void {
  if (!apiKey) return
  const limits = keyLimitsOf(context.registry.settings, apiKey.name)
  const windows = [
    { kind: 'daily', per: 'day', tokens: limits.tokensPerDay, dollars: limits.dollarsPerDay },
    { kind: 'monthly', per: 'month', tokens: undefined, dollars: limits.dollarsPerMonth },
  ] as const
  for (const { kind, per, tokens, dollars } of windows) {
    if (tokens === undefined && dollars === undefined) continue
    const bounds = windowBounds(kind, now, resetRuleOf(context.registry.settings))
    const used = usedInWindow(context, { apiKeyId: apiKey.id }, bounds.start, now, `key:${kind}:${apiKey.id}:${bounds.start}`)
    const resets = `the limit resets at ${new Date(bounds.end).toISOString()}`
    if (tokens !== undefined && used.tokens >= tokens) {
      throw new ProxyError('rate_limit', `API key "${apiKey.name}" used ${used.tokens} of its ${tokens} tokens per ${per}; ${resets}`, { status: 429, code: 'key_token_limit' })
    }
    if (dollars !== undefined && used.dollars >= dollars) {
      throw new ProxyError('rate_limit', `API key "${apiKey.name}" spent $${used.dollars.toFixed(4)} of its $${dollars} per ${per}; ${resets}`, { status: 429, code: 'key_spend_limit' })
    }
  }
  if (limits.requestsPerMinute !== undefined) {
    let perKey = recentRequests.get(context.db)
    if (!perKey) recentRequests.set(context.db, (perKey = new Map()))
    const times = (perKey.get(apiKey.id) ?? []).filter((at) => at > now - 60_000 && at <= now)
    perKey.set(apiKey.id, times)
    if (times.length >= limits.requestsPerMinute) {
      const wait = Math.max(1, Math.ceil((times[0] + 60_000 - now) / 1000))
      throw new ProxyError('rate_limit', `API key "${apiKey.name}" is over its limit of ${limits.requestsPerMinute} requests per minute; retry in ${wait}s`, {
        status: 429,
        code: 'key_rate_limit',
      })
    }
    times.push(now)
  }
}
