import { Elysia } from 'elysia'
import { z } from 'zod'
import { priceOverrideSchema, settingsSchema, type Settings } from '../config/file'
import { budgetCheck, clearBudgetCache, listBudgetStatus, listQuotaWindows, resetRuleOf } from '../services/budgets'
import type { AppContext } from '../services/context'
import { invalidatePricing, listBuiltInPrices, pricingSnapshot } from '../services/pricing'
import { isRequestLoggingEnabled } from '../services/request-log'
import { buildSeries, describeTotals, listRecentRequests, readFilter, readRange, toCsv, traceOf, usageExportColumns } from '../services/usage-report'
import { isValidTimeZone } from '../services/usage-windows'
import { deletePriceOverride, listPriceOverrides, upsertPriceOverride } from '../store/pricing'
import { clearRequestLogs, getRequestLog, listRequestLogs } from '../store/request-logs'
import { getSetting, setSetting } from '../store/settings'
import { breakdownUsage, listAttemptsFor, listUsageEvents, sumUsage, type UsageDimension } from '../store/usage-queries'
import { isSameOriginWrite, sessionPlugin, sessionToken } from './session'
import { jsonError, readJson } from './json'

type Query = Record<string, string | undefined>

const pricesInput = z.union([priceOverrideSchema, z.object({ prices: z.array(priceOverrideSchema).max(10_000) }).strict()])
const budgetsInput = z.object({ budgets: settingsSchema.shape.budgets.unwrap() }).strict()
const dimensions: readonly UsageDimension[] = ['provider', 'model', 'connection', 'key']

/** A query parameter that must be a whole number of at least 1 when given (a row id, a page size). */
function positiveInteger(query: Query, name: string): number | undefined {
  const value = query[name]
  if (value === undefined || value === '') return undefined
  const number = Number(value)
  if (!Number.isSafeInteger(number) || number < 1) throw new Error(`"${name}" must be a whole number of at least 1`)
  return number
}

/** Runs a handler that reads query parameters; a bad parameter becomes a 400 naming it. */
function withQuery<T>(handler: () => T): T | Response {
  try {
    return handler()
  } catch (error) {
    return jsonError(400, (error as Error).message)
  }
}

const download = (body: string, type: string, name: string) =>
  new Response(body, { headers: { 'content-type': type, 'content-disposition': `attachment; filename="${name}"` } })

/**
 * Usage analytics, pricing, budgets and request logs for the dashboard, under `/api`; every route behind
 * the dashboard session, writes only from our own pages (as `routes/api.ts`).
 */
export function usageApiRoutes(context: AppContext) {
  const timeZoneOf = (query: Query) => {
    const zone = query.tz ?? resetRuleOf(context.registry.settings).timeZone
    if (!isValidTimeZone(zone)) throw new Error(`unknown time zone "${zone}"`)
    return zone
  }
  return new Elysia({ name: 'routes/usage-api', prefix: '/api' })
    .use(sessionPlugin(context))
    .onBeforeHandle(async ({ request, isSignedIn }) => {
      if (!(await isSignedIn(sessionToken(request)))) return jsonError(401, 'sign in first: POST /api/auth/login {"password":"…"}')
      if (request.method !== 'GET' && request.method !== 'HEAD' && !isSameOriginWrite(request)) return jsonError(403, 'cross-site request refused')
      // Queries see every finished request: rows still queued in the recorder are written first.
      await context.usage.flush()
    })
    .get('/usage/summary', ({ query }) =>
      withQuery(() => {
        const range = readRange(query, context.now())
        return { from: range.from, to: range.to, totals: describeTotals(sumUsage(context.db, range.from, range.to, readFilter(query))) }
      }),
    )
    .get('/usage/series', ({ query }) =>
      withQuery(() => {
        const granularity = query.granularity ?? 'hour'
        if (granularity !== 'hour' && granularity !== 'day' && granularity !== 'month') throw new Error('granularity must be hour, day or month')
        const range = readRange(query, context.now(), granularity === 'hour' ? '24h' : granularity === 'day' ? '30d' : '365d')
        const timeZone = timeZoneOf(query)
        return { granularity, timeZone, from: range.from, to: range.to, series: buildSeries(context.db, range, granularity, timeZone, readFilter(query)) }
      }),
    )
    .get('/usage/breakdown', ({ query }) =>
      withQuery(() => {
        const by = (query.by ?? 'provider') as UsageDimension
        if (!dimensions.includes(by)) throw new Error(`"by" must be one of ${dimensions.join(', ')}`)
        const range = readRange(query, context.now())
        return { by, from: range.from, to: range.to, rows: breakdownUsage(context.db, range.from, range.to, by, readFilter(query)).map(describeTotals) }
      }),
    )
    .get('/usage/requests', ({ query }) =>
      withQuery(() => {
        const limit = Math.min(positiveInteger(query, 'limit') ?? 50, 500)
        const before = positiveInteger(query, 'before')
        const outcome = query.outcome === 'ok' || query.outcome === 'error' ? query.outcome : undefined
        return listRecentRequests(context.db, { ...readFilter(query), limit, before, outcome })
      }),
    )
    .get('/usage/requests/:requestId', ({ params }) => {
      const requestId = decodeURIComponent(params.requestId)
      const rows = context.db.query('SELECT e.*, c.name AS connection_name FROM usage_events e LEFT JOIN connections c ON c.id = e.connection_id WHERE e.request_id = ?').all(requestId)
      if (rows.length === 0) return jsonError(404, 'no such request (it may be older than the retention period)')
      const request = rows[0] as Record<string, unknown>
      return { request, attempts: traceOf(request, listAttemptsFor(context.db, [requestId]).get(requestId) ?? []), logs: listRequestLogs(context.db, { requestId, limit: 100 }) }
    })
    .get('/usage/export', ({ query }) =>
      withQuery(() => {
        const range = readRange(query, context.now(), '30d')
        const format = query.format ?? 'json'
        if (format !== 'csv' && format !== 'json') throw new Error('format must be csv or json')
        const stamp = new Date(range.to).toISOString().slice(0, 10)
        if (query.source === 'hourly') {
          const rows = context.db.query('SELECT * FROM usage_hourly WHERE hour >= ? AND hour < ? ORDER BY hour').all(range.from, range.to) as Record<string, unknown>[]
          if (format === 'json') return download(JSON.stringify(rows), 'application/json', `modelmux-usage-hourly-${stamp}.json`)
          return download(toCsv(rows, Object.keys(rows[0] ?? { hour: 0 })), 'text/csv; charset=utf-8', `modelmux-usage-hourly-${stamp}.csv`)
        }
        const rows = listUsageEvents(context.db, { ...readFilter(query), from: range.from, to: range.to, limit: positiveInteger(query, 'limit') ?? 100_000 }).reverse()
        if (format === 'json') return download(JSON.stringify(rows), 'application/json', `modelmux-usage-${stamp}.json`)
        return download(toCsv(rows, usageExportColumns), 'text/csv; charset=utf-8', `modelmux-usage-${stamp}.csv`)
      }),
    )
    .get('/usage/quota', () => {
      const now = context.now()
      const snapshot = pricingSnapshot(context.db, now)
      return {
        connections: context.registry.connections.map(({ connection, provider }) => ({
          id: connection.id,
          name: connection.name,
          provider: provider.id,
          tier: snapshot.tiers.get(connection.id) ?? 'paid',
          windows: listQuotaWindows(context, connection.id, now),
          budget: budgetCheck(context, connection.id, provider.id, now),
        })),
        budgets: listBudgetStatus(context, now),
      }
    })
    .get('/pricing', () => ({ builtIn: listBuiltInPrices(), overrides: listPriceOverrides(context.db) }))
    .put('/pricing', async ({ request }) => {
      const parsed = pricesInput.safeParse(await readJson(request))
      if (!parsed.success) return jsonError(400, `${parsed.error.issues[0].path.join('.') || 'body'}: ${parsed.error.issues[0].message}`)
      const prices = 'prices' in parsed.data ? parsed.data.prices : [parsed.data]
      context.db.transaction(() => {
        for (const entry of prices) upsertPriceOverride(context.db, entry, context.now())
      })()
      invalidatePricing(context.db)
      return { overrides: listPriceOverrides(context.db) }
    })
    .delete('/pricing', ({ query }) => {
      if (!query.provider || !query.model) return jsonError(400, '"provider" and "model" are required')
      if (!deletePriceOverride(context.db, query.provider, query.model)) return jsonError(404, 'no such price override')
      invalidatePricing(context.db)
      return { overrides: listPriceOverrides(context.db) }
    })
    .get('/budgets', () => ({ budgets: listBudgetStatus(context), settings: context.registry.settings.budgets ?? [] }))
    .put('/budgets', async ({ request }) => {
      const parsed = budgetsInput.safeParse(await readJson(request))
      if (!parsed.success) return jsonError(400, `${parsed.error.issues[0].path.join('.') || 'body'}: ${parsed.error.issues[0].message}`)
      setSetting(context.db, 'settings', { ...(getSetting<Settings>(context.db, 'settings') ?? {}), budgets: parsed.data.budgets })
      context.reload()
      clearBudgetCache(context.db)
      return { budgets: listBudgetStatus(context), settings: parsed.data.budgets }
    })
    .get('/logs', ({ query }) =>
      withQuery(() => ({
        enabled: isRequestLoggingEnabled(context),
        logs: listRequestLogs(context.db, {
          limit: Math.min(positiveInteger(query, 'limit') ?? 50, 500),
          before: positiveInteger(query, 'before'),
          requestId: query.requestId,
          withBodies: false,
        }),
      })),
    )
    .get('/logs/export', ({ query }) =>
      withQuery(() => {
        const range = readRange(query, context.now(), 'all')
        const logs = listRequestLogs(context.db, { from: range.from, to: range.to, limit: positiveInteger(query, 'limit') ?? 10_000 }).reverse()
        const stamp = new Date(context.now()).toISOString().slice(0, 10)
        if (query.format === 'ndjson') return download(logs.map((log) => JSON.stringify(log)).join('\n') + '\n', 'application/x-ndjson', `modelmux-logs-${stamp}.ndjson`)
        return download(JSON.stringify(logs), 'application/json', `modelmux-logs-${stamp}.json`)
      }),
    )
    .get('/logs/:id', ({ params }) => getRequestLog(context.db, Number(params.id)) ?? jsonError(404, 'no such log entry'))
    .delete('/logs', () => ({ deleted: clearRequestLogs(context.db) }))
}
