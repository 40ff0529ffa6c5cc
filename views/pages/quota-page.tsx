import { Badge, formatCount, formatDollars, formatDuration, formatTime } from '../components/ui'
import type { QuotaSnapshot, QuotaWindow } from '../../src/oauth'
import { BudgetsSection, type BudgetsSectionProps } from '../partials/budgets-section'
import type { ConnectionView } from '../partials/connection-card'

/** One connection's quota card. */
export interface QuotaCard {
  connection: ConnectionView
  requests: number
  errors: number
  tokens: number
  /** What its requests cost in the window, at its tier. */
  cost: number
  lastAt?: number
  /** The subscription provider's own quota windows, as last read (absent for API-key connections). */
  quota?: QuotaSnapshot
}

/** A window's used share in percent, when the provider gives enough to compute it. */
function usedPercent(window: QuotaWindow): number | undefined {
  if (window.unlimited) return 0
  if (window.usedPercent !== undefined) return Math.max(0, Math.min(100, Math.round(window.usedPercent)))
  if (window.total && window.total > 0) {
    const used = window.used ?? (window.remaining !== undefined ? window.total - window.remaining : undefined)
    if (used !== undefined) return Math.max(0, Math.min(100, Math.round((used / window.total) * 100)))
  }
  return undefined
}

/** The provider-reported quota windows of a subscription connection: a bar and a reset countdown each. */
export function ProviderQuota({ quota, now }: { quota: QuotaSnapshot; now: number }) {
  return (
    <div class="provider-quota" data-provider-quota={quota.provider}>
      <p class="small-text">
        <strong>Provider quota</strong>
        {quota.plan ? <span class="muted" safe>{` · ${quota.plan}`}</span> : ''}
        {quota.limitReached ? <> <Badge tone="bad">limit reached</Badge></> : ''}
      </p>
      {quota.windows.length === 0 ? <p class="muted small-text">No windows reported.</p> : ''}
      {quota.windows.map((window) => {
        const percent = usedPercent(window)
        const amount = window.unlimited ? 'unlimited' : window.total !== undefined ? `${formatCount(window.used ?? window.total - (window.remaining ?? 0))} / ${formatCount(window.total)}` : ''
        const reset = window.resetAt === undefined ? '' : window.resetAt > now ? ` · resets in ${formatDuration(window.resetAt - now)}` : ' · reset due'
        const models = window.models?.length ? ` (${window.models.join(', ')})` : ''
        return (
          <div class="quota-window">
            <div class="small-text" safe>{`${window.name}${models}: ${percent === undefined ? '' : `${percent}% used`}${amount ? ` ${amount}` : ''}${reset}`}</div>
            {percent === undefined ? (
              ''
            ) : (
              <div class={`meter ${percent >= 95 ? 'bad' : percent >= 80 ? 'warn' : ''}`} title={window.resetAt ? `resets at ${formatTime(window.resetAt)}` : undefined}>
                <span style={`width: ${percent}%`}></span>
              </div>
            )}
          </div>
        )
      })}
      {quota.message ? <p class="muted small-text" safe>{quota.message}</p> : ''}
      <p class="muted small-text" safe>{`read ${formatTime(quota.readAt)}`}</p>
    </div>
  )
}

/** Sort orders of the Quota page. */
export const quotaSorts = { reset: 'Next reset', usage: 'Most used', name: 'Name' } as const

/** A card per connection (usage in the window, success rate, when a cooldown resets), then the spending limits. */
export function QuotaPage({ cards, sort, now, windowLabel, budgets }: { cards: QuotaCard[]; sort: keyof typeof quotaSorts; now: number; windowLabel: string; budgets: BudgetsSectionProps }) {
  const busiest = Math.max(1, ...cards.map((card) => card.tokens))
  return (
    <>
      <h1 class="page-title">Quota</h1>
      <p class="muted">
        Usage per connection over the {windowLabel}, cooldowns with their reset times, and the quota windows subscription providers report. Usage
        bars compare connections with each other.
      </p>
      <div class="tabs" role="tablist" aria-label="Sort">
        {(Object.keys(quotaSorts) as (keyof typeof quotaSorts)[]).map((key) => (
          <a class="button small secondary tab" role="tab" aria-selected={key === sort ? 'true' : 'false'} href={`/dashboard/quota?sort=${key}`} hx-get={`/dashboard/quota?sort=${key}`} hx-target="#main" hx-push-url="true">
            {quotaSorts[key]}
          </a>
        ))}
      </div>
      {cards.length === 0 ? <p class="muted">No connections yet.</p> : ''}
      <div class="grid">
        {cards.map((card) => {
          const share = Math.round((card.tokens / busiest) * 100)
          const okRate = card.requests === 0 ? 100 : Math.round(((card.requests - card.errors) / card.requests) * 100)
          const until = card.connection.health.until
          return (
            <div class="tile" data-quota={card.connection.name}>
              <h3>
                <span safe>{card.connection.name}</span>
                {card.connection.enabled ? '' : <Badge tone="muted">disabled</Badge>}
              </h3>
              <p class="muted small-text" safe>
                {card.connection.providerName}
              </p>
              <div class="small-text" safe>{`${formatCount(card.tokens)} tokens · ${card.requests} requests · ${formatDollars(card.cost)}`}</div>
              <div class="meter" title={`${share}% of the busiest connection`}>
                <span style={`width: ${share}%`}></span>
              </div>
              <div class="small-text" safe>{`${okRate}% succeeded`}</div>
              <div class={`meter ${okRate < 50 ? 'bad' : okRate < 90 ? 'warn' : ''}`}>
                <span style={`width: ${okRate}%`}></span>
              </div>
              {card.quota ? <ProviderQuota quota={card.quota} now={now} /> : ''}
              {until && until > now ? (
                <p class="small-text">
                  <Badge tone="warn">resets in {formatDuration(until - now)}</Badge> <span class="muted" safe>{`at ${formatTime(until)}${card.connection.health.reason ? `: ${card.connection.health.reason}` : ''}`}</span>
                </p>
              ) : (
                <p class="muted small-text" safe>
                  {card.lastAt ? `last used ${formatTime(card.lastAt)}` : 'not used in this window'}
                </p>
              )}
            </div>
          )
        })}
      </div>
      <BudgetsSection {...budgets} />
    </>
  )
}
