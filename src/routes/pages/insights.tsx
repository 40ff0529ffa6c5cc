import { Elysia } from 'elysia'
import { LogsPage } from '../../../views/pages/logs-page'
import { QuotaPage, quotaSorts, type QuotaCard } from '../../../views/pages/quota-page'
import { UsageLive, UsagePage, usageRanges, type UsageLiveProps, type UsageRange } from '../../../views/pages/usage-page'
import { oauthServiceFor } from '../../oauth'
import { resetRuleOf } from '../../services/budgets'
import type { AppContext } from '../../services/context'
import { windowBounds } from '../../services/usage-windows'
import { listApiKeys } from '../../store/api-keys'
import { attemptsFor, listLoggedModels, listRequests, listUsageProviders, usageBreakdown, usageByConnection, usageByModel, usageSeries, usageTotals, type RequestFilter, type RequestRow, type UsageBucket } from '../../store/dashboard-queries'
import { budgetsSection } from './budgets'
import { connectionViews } from './providers'
import { renderFragment, renderPage } from './render'

const HOUR = 3_600_000
const rangeSpec: Record<UsageRange, { span: number; bucket: number }> = {
  '24h': { span: 24 * HOUR, bucket: HOUR },
  '7d': { span: 7 * 24 * HOUR, bucket: 6 * HOUR },
  '30d': { span: 30 * 24 * HOUR, bucket: 24 * HOUR },
}

/** A usage series as the Usage page's two charts: requests (with failures) and cost. */
function seriesBars(series: UsageBucket[], bucket: number): Pick<UsageLiveProps, 'bars' | 'costBars'> {
  return {
    bars: series.map((entry) => ({ label: bucketLabel(entry.start, bucket), value: entry.requests, errors: entry.errors })),
    costBars: series.map((entry) => ({ label: bucketLabel(entry.start, bucket), value: entry.cost, errors: 0 })),
  }
}

const bucketLabel = (start: number, bucket: number) => {
  const iso = new Date(start).toISOString()
  return bucket < 24 * HOUR ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` : iso.slice(5, 10)
}

/** Reads the log filter from the query string. */
function readFilter(query: Record<string, string | undefined>): RequestFilter {
  return {
    model: query.model?.trim() || undefined,
    provider: query.provider?.trim() || undefined,
    outcome: query.outcome === 'ok' || query.outcome === 'error' ? query.outcome : undefined,
  }
}

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value)
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** Usage, Quota and Logs pages, from the `usage_events` and `attempts` tables. */
export function insightPages(context: AppContext) {
  const keyNames = () => new Map(listApiKeys(context.db).map((key) => [key.id, key.name]))
  // What this month cost so far, from its start as the reset rule (set on the Quota page) puts it, whatever range is shown.
  const monthToDate = (now: number) => {
    const start = windowBounds('monthly', now, resetRuleOf(context.registry.settings)).start
    return { start, actualCost: usageTotals(context.db, start).actualCost }
  }
  const live = (range: UsageRange): UsageLiveProps => {
    const now = context.now()
    const { span, bucket } = rangeSpec[range]
    const until = Math.ceil(now / bucket) * bucket
    const since = now - span
    // Costs are as recorded: each request priced when it was made, at its connection's tier (subscriptions cost 0).
    const models = usageByModel(context.db, since).map((row) => ({ ...row, label: row.model ?? '(none)' }))
    const names = keyNames()
    const connections = new Map(context.registry.connections.map(({ connection }) => [connection.id, connection.name]))
    const recent = listRequests(context.db, { limit: 20 })
    return {
      range,
      totals: usageTotals(context.db, since),
      month: monthToDate(now),
      unpricedModels: models.filter((row) => row.unpriced > 0).length,
      ...seriesBars(usageSeries(context.db, until - span, until, bucket), bucket),
      breakdowns: [
        { title: 'By model', rows: models.slice(0, 10) },
        { title: 'By provider', rows: usageBreakdown(context.db, since, 'provider').map((row) => ({ ...row, label: String(row.key ?? '(none)') })) },
        { title: 'By connection', rows: usageBreakdown(context.db, since, 'connection').map((row) => ({ ...row, label: row.key === null ? '(none)' : (connections.get(Number(row.key)) ?? `#${row.key}`) })) },
        { title: 'By client key', rows: usageBreakdown(context.db, since, 'key').map((row) => ({ ...row, label: row.key === null ? 'no key' : (names.get(Number(row.key)) ?? `#${row.key}`) })) },
      ],
      recent,
      attempts: attemptsFor(context.db, recent.map((row) => row.requestId)),
      keyNames: names,
    }
  }
  const rangeOf = (value: unknown): UsageRange => (typeof value === 'string' && value in usageRanges ? (value as UsageRange) : '24h')
  const logRows = (filter: RequestFilter, limit: number): RequestRow[] => listRequests(context.db, { ...filter, limit })
  return new Elysia({ name: 'pages/insights' })
    .get('/usage', ({ request, query }) => renderPage(request, { title: 'Usage', active: 'usage', body: <UsagePage {...live(rangeOf(query.range))} /> }))
    .get('/usage/live', ({ query }) => renderFragment(<UsageLive {...live(rangeOf(query.range))} />))
    .get('/quota', ({ request, query }) => {
      const now = context.now()
      const sort = typeof query.sort === 'string' && query.sort in quotaSorts ? (query.sort as keyof typeof quotaSorts) : 'reset'
      const usage = usageByConnection(context.db, now - 24 * HOUR)
      const oauth = oauthServiceFor(context)
      const quotaOf = (id: number) => {
        const entry = context.registry.connections.find(({ connection }) => connection.id === id)
        return entry ? oauth.status(entry.connection)?.quota : undefined
      }
      const cards: QuotaCard[] = connectionViews(context).map((connection) => ({ connection, requests: 0, errors: 0, tokens: 0, cost: 0, ...usage.get(connection.id), quota: quotaOf(connection.id) }))
      // The next reset: a cooldown's end, else the earliest future reset of a provider-reported window.
      const resetOf = (card: QuotaCard) => {
        if (card.connection.health.until && card.connection.health.until > now) return card.connection.health.until
        const resets = (card.quota?.windows ?? []).map((window) => window.resetAt ?? Infinity).filter((at) => at > now)
        return Math.min(Infinity, ...resets)
      }
      cards.sort((a, b) => (sort === 'name' ? a.connection.name.localeCompare(b.connection.name) : sort === 'usage' ? b.tokens - a.tokens || b.requests - a.requests : resetOf(a) - resetOf(b) || a.connection.name.localeCompare(b.connection.name)))
      return renderPage(request, { title: 'Quota', active: 'quota', body: <QuotaPage cards={cards} sort={sort} now={now} windowLabel="last 24 hours" budgets={budgetsSection(context)} /> })
    })
    .get('/logs', ({ request, query }) => {
      const filter = readFilter(query)
      const rows = logRows(filter, 100)
      return renderPage(request, {
        title: 'Logs',
        active: 'logs',
        body: (
          <LogsPage
            rows={rows}
            attempts={attemptsFor(context.db, rows.map((row) => row.requestId))}
            keyNames={keyNames()}
            filter={filter}
            providers={listUsageProviders(context.db)}
            models={listLoggedModels(context.db)}
            bodiesLogged={false}
          />
        ),
      })
    })
    .get('/logs/export.json', ({ query }) => {
      const rows = logRows(readFilter(query), 10_000)
      const attempts = attemptsFor(context.db, rows.map((row) => row.requestId))
      const body = JSON.stringify(rows.map((row) => ({ ...row, attemptTrace: attempts.get(row.requestId) ?? [] })), null, 2)
      return new Response(body, { headers: { 'content-type': 'application/json', 'content-disposition': 'attachment; filename="modelmux-requests.json"' } })
    })
    .get('/logs/export.csv', ({ query }) => {
      const rows = logRows(readFilter(query), 10_000)
      const columns = ['at', 'requestId', 'inboundFormat', 'requestedModel', 'model', 'provider', 'connectionId', 'apiKeyId', 'status', 'stream', 'attempts', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'latencyMs', 'ttfbMs', 'error', 'listCost', 'actualCost'] as const
      const lines = [columns.join(','), ...rows.map((row) => columns.map((column) => csvCell(column === 'at' ? new Date(row.at).toISOString() : row[column])).join(','))]
      return new Response(`${lines.join('\n')}\n`, { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="modelmux-requests.csv"' } })
    })
}
