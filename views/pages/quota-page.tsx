import { Badge, formatCount, formatDuration, formatTime } from '../components/ui'
import type { ConnectionView } from '../partials/connection-card'

/** One connection's quota card. */
export interface QuotaCard {
  connection: ConnectionView
  requests: number
  errors: number
  tokens: number
  lastAt?: number
}

/** Sort orders of the Quota page. */
export const quotaSorts = { reset: 'Next reset', usage: 'Most used', name: 'Name' } as const

/** A card per connection: usage in the window, success rate, and when a cooldown resets. */
export function QuotaPage({ cards, sort, now, windowLabel }: { cards: QuotaCard[]; sort: keyof typeof quotaSorts; now: number; windowLabel: string }) {
  const busiest = Math.max(1, ...cards.map((card) => card.tokens))
  return (
    <>
      <h1 class="page-title">Quota</h1>
      <p class="muted">
        Usage per connection over the {windowLabel}, and cooldowns with their reset times. Providers do not report plan limits here yet, so bars
        compare connections with each other.
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
              <div class="small-text" safe>{`${formatCount(card.tokens)} tokens · ${card.requests} requests`}</div>
              <div class="meter" title={`${share}% of the busiest connection`}>
                <span style={`width: ${share}%`}></span>
              </div>
              <div class="small-text" safe>{`${okRate}% succeeded`}</div>
              <div class={`meter ${okRate < 50 ? 'bad' : okRate < 90 ? 'warn' : ''}`}>
                <span style={`width: ${okRate}%`}></span>
              </div>
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
    </>
  )
}
