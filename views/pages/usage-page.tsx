import type { AttemptRow, RequestRow, UsageCost, UsageGroup, UsageTotals } from '../../src/store/dashboard-queries'
import { BarChart, type ChartBar } from '../components/bar-chart'
import { formatCount, formatDollars, formatTime } from '../components/ui'
import { RequestTable } from '../partials/request-table'

/** The time ranges the Usage page offers. */
export const usageRanges = { '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' } as const

/** A usage range id. */
export type UsageRange = keyof typeof usageRanges

/** A breakdown row with its label. */
export interface BreakdownRow extends UsageGroup {
  label: string
}

/** What the live part of the Usage page shows. */
export interface UsageLiveProps {
  range: UsageRange
  totals: UsageTotals
  /** This month so far: when it started (by the reset rule) and what it cost. */
  month: { start: number; actualCost: number }
  /** How many models were used without a known list price. */
  unpricedModels: number
  bars: ChartBar[]
  /** What each bucket's requests cost. */
  costBars: ChartBar[]
  breakdowns: { title: string; rows: BreakdownRow[] }[]
  recent: RequestRow[]
  attempts: Map<string, AttemptRow[]>
  keyNames: Map<number, string>
}

function Stat({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div class="stat" title={title}>
      <div class="value" safe>
        {value}
      </div>
      <div class="label" safe>
        {label}
      </div>
    </div>
  )
}

/** What a group cost, with its list price on hover; a dash when none of it had a known price. */
function CostCell({ cost }: { cost: UsageCost }) {
  if (cost.listCost === 0 && cost.unpriced > 0) return <td class="num">–</td>
  const partly = cost.unpriced > 0 ? `; ${cost.unpriced} request(s) without a known price are not counted` : ''
  return (
    <td class="num" title={`list price ${formatDollars(cost.listCost)}${partly}`} safe>
      {`${formatDollars(cost.actualCost)}${cost.unpriced > 0 ? '*' : ''}`}
    </td>
  )
}

function Breakdown({ title, rows }: { title: string; rows: BreakdownRow[] }) {
  return (
    <div class="tile">
      <h3 safe>{title}</h3>
      {rows.length === 0 ? (
        <p class="muted small-text">Nothing yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="breakdown">
            <thead>
              <tr>
                <th>Name</th>
                <th class="num">Requests</th>
                <th class="num">Tokens</th>
                <th class="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr>
                  <td safe>{row.label}</td>
                  <td class="num" safe>{`${row.requests}${row.errors ? ` (${row.errors} failed)` : ''}`}</td>
                  <td class="num" safe>
                    {formatCount(row.inputTokens + row.outputTokens)}
                  </td>
                  <CostCell cost={row} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}

/** Totals, chart, breakdowns and recent requests; re-fetches itself every 5 s (paused while a trace is open). */
export function UsageLive(props: UsageLiveProps) {
  const { totals } = props
  const savings = Math.max(0, totals.listCost - totals.actualCost)
  return (
    <div id="usage-live" hx-get={`/dashboard/usage/live?range=${props.range}`} hx-trigger="every 5s [noTraceOpen()]" hx-target="this" hx-swap="outerHTML">
      <div class="stats">
        <Stat label="Requests" value={formatCount(totals.requests)} />
        <Stat label="Failed" value={formatCount(totals.errors)} />
        <Stat label="Input tokens" value={formatCount(totals.inputTokens)} />
        <Stat label="Output tokens" value={formatCount(totals.outputTokens)} />
        <Stat label="Cost" value={formatDollars(totals.actualCost)} />
        <Stat label="Saved vs list price" value={formatDollars(savings)} />
        <Stat label="Cost this month" value={formatDollars(props.month.actualCost)} title={`since ${formatTime(props.month.start)}`} />
        <Stat label="Avg latency" value={`${totals.averageLatencyMs} ms`} />
      </div>
      <section class="card">
        <div class="card-head">
          <h2>Over time</h2>
          <span class="live">live</span>
        </div>
        <h3>Requests</h3>
        <BarChart bars={props.bars} title={`Requests, ${usageRanges[props.range].toLowerCase()}`} unit="requests" />
        <h3>Cost</h3>
        <BarChart bars={props.costBars} title={`Cost, ${usageRanges[props.range].toLowerCase()}`} unit="" least={0} format={formatDollars} />
        {props.unpricedModels > 0 ? (
          <p class="muted small-text">
            {`${props.unpricedModels} model(s) have no known list price and are not counted in cost. `}
            <a href="/dashboard/settings#prices">Set a price</a>
          </p>
        ) : (
          ''
        )}
      </section>
      <section class="card">
        <h2>Breakdown</h2>
        <div class="grid breakdowns">
          {props.breakdowns.map((breakdown) => (
            <Breakdown title={breakdown.title} rows={breakdown.rows} />
          ))}
        </div>
      </section>
      <section class="card">
        <h2>Recent requests</h2>
        <RequestTable rows={props.recent} attempts={props.attempts} keyNames={props.keyNames} />
      </section>
    </div>
  )
}

/** The Usage page: a range picker and the live part. */
export function UsagePage(props: UsageLiveProps) {
  return (
    <>
      <h1 class="page-title">Usage</h1>
      <div class="tabs" role="tablist" aria-label="Range">
        {(Object.keys(usageRanges) as UsageRange[]).map((range) => (
          <a
            class="button small secondary tab"
            role="tab"
            aria-selected={range === props.range ? 'true' : 'false'}
            href={`/dashboard/usage?range=${range}`}
            hx-get={`/dashboard/usage?range=${range}`}
            hx-target="#main"
            hx-push-url="true"
          >
            {usageRanges[range]}
          </a>
        ))}
      </div>
      <UsageLive {...props} />
    </>
  )
}
