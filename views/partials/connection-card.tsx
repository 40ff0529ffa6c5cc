import type { ConnectionState } from '../../src/services/health'
import { Badge, formatDuration, formatTime } from '../components/ui'

/** A connection as the Providers page shows it (never with its secret). */
export interface ConnectionView {
  id: number
  name: string
  providerId: string
  providerName: string
  prefix: string
  baseUrl: string | null
  models: string[]
  priority: number
  enabled: boolean
  hasSecret: boolean
  custom: boolean
  health: ConnectionState
  /** What this connection's upstream refused and how modelmux now adapts requests to it, one sentence each. */
  learned: string[]
}

const stateTone = { healthy: 'ok', 'cooling-down': 'warn', 'circuit-open': 'bad', 'half-open': 'info', 'needs-relogin': 'bad' } as const
const stateLabel = { healthy: 'healthy', 'cooling-down': 'cooling down', 'circuit-open': 'paused', 'half-open': 'probing', 'needs-relogin': 'needs re-login' } as const

/** "cooling down until … because …", or nothing for a healthy connection. */
export function HealthLine({ health, now }: { health: ConnectionState; now: number }) {
  const until = health.until ? `until ${formatTime(health.until)} (in ${formatDuration(health.until - now)})` : ''
  const lines: string[] = []
  if (health.state === 'cooling-down') lines.push(`Cooling down ${until} because ${health.reason ?? 'rate limited'}.`)
  if (health.state === 'circuit-open') lines.push(`Paused ${until} because of ${health.reason ?? 'repeated failures'}.`)
  if (health.state === 'half-open') lines.push(`The next request probes the upstream (${health.reason ?? 'after failures'}).`)
  if (health.state === 'needs-relogin') lines.push(`Needs a new key or login: ${health.reason ?? 'the upstream refused the credential'}.`)
  for (const model of health.models) lines.push(`${model.model} cooling down until ${formatTime(model.until)} (in ${formatDuration(model.until - now)}) because ${model.reason}.`)
  if (lines.length === 0) return ''
  return (
    <div class="health">
      {lines.map((line) => (
        <p class="muted" safe>
          {line}
        </p>
      ))}
    </div>
  )
}

/** One connection with its state and actions (test, enable, reorder, edit, delete, clear cooldown). */
export function ConnectionCard({ connection, now, first, last, canTest }: { connection: ConnectionView; now: number; first: boolean; last: boolean; canTest: boolean }) {
  const base = `/dashboard/providers/connections/${connection.id}`
  const swap = { 'hx-target': '#connections', 'hx-swap': 'outerHTML' }
  const unhealthy = connection.health.state !== 'healthy' || connection.health.models.length > 0
  return (
    <article class="connection" id={`connection-${connection.id}`} data-connection={connection.name}>
      <div class="connection-head">
        <h3>
          <span safe>{connection.name}</span>{' '}
          {connection.enabled ? <Badge tone={stateTone[connection.health.state]}>{stateLabel[connection.health.state]}</Badge> : <Badge tone="muted">disabled</Badge>}
        </h3>
        <span class="muted small-text">priority {connection.priority}</span>
      </div>
      <p class="connection-meta">
        <span safe>{connection.providerName}</span> · prefix <code safe>{connection.prefix}</code>
        {connection.baseUrl ? (
          <>
            {' · '}
            <code safe>{connection.baseUrl}</code>
          </>
        ) : (
          ''
        )}
        {connection.models.length ? <span safe>{` · models: ${connection.models.join(', ')}`}</span> : ''}
        {connection.hasSecret ? '' : ' · no key'}
      </p>
      <HealthLine health={connection.health} now={now} />
      {connection.learned.length > 0 ? (
        <details class="learned">
          <summary class="muted small-text">Learned from its errors ({String(connection.learned.length)})</summary>
          <ul class="plain-list small-text">
            {connection.learned.map((line) => (
              <li safe>{line}</li>
            ))}
          </ul>
        </details>
      ) : (
        ''
      )}
      <div class="button-row">
        {canTest ? (
          <button type="button" class="small secondary" hx-post={`${base}/test`} hx-target={`#test-${connection.id}`} hx-disable="this" data-test-connection={connection.enabled ? '' : undefined}>
            Test
          </button>
        ) : (
          ''
        )}
        <button type="button" class="small secondary" hx-post={`${base}/${connection.enabled ? 'disable' : 'enable'}`} {...swap}>
          {connection.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" class="small secondary" hx-post={`${base}/up`} disabled={first} aria-label={`Move ${connection.name} up`} {...swap}>
          ↑
        </button>
        <button type="button" class="small secondary" hx-post={`${base}/down`} disabled={last} aria-label={`Move ${connection.name} down`} {...swap}>
          ↓
        </button>
        <button type="button" class="small secondary" hx-get={`${base}/edit`} hx-target={`#connection-${connection.id}`} hx-swap="outerHTML">
          Edit
        </button>
        {unhealthy ? (
          <button type="button" class="small secondary" hx-post={`${base}/clear`} {...swap}>
            Clear cooldown
          </button>
        ) : (
          ''
        )}
        <button type="button" class="small danger" hx-post={`${base}/delete`} hx-confirm={`Delete the connection "${connection.name}"? Its key is removed.`} {...swap}>
          Delete
        </button>
      </div>
      <div class="test-result" id={`test-${connection.id}`} aria-live="polite"></div>
    </article>
  )
}

/** The connections, grouped by provider in priority order. */
export function ConnectionList({ connections, now, canTest, oob }: { connections: ConnectionView[]; now: number; canTest: boolean; oob?: boolean }) {
  const groups = new Map<string, ConnectionView[]>()
  for (const connection of connections) groups.set(connection.providerId, [...(groups.get(connection.providerId) ?? []), connection])
  return (
    <section class="card" id="connections" hx-swap-oob={oob ? 'true' : undefined}>
      <div class="card-head">
        <h2>Connections</h2>
        <span class="actions">
          <span class="muted small-text">{String(connections.length)} total</span>
          {canTest && connections.some((connection) => connection.enabled) ? (
            // Presses every enabled connection's Test button (app.js): each answers in its own card as it finishes.
            <button type="button" class="small secondary" data-test-all="">
              Test all
            </button>
          ) : (
            ''
          )}
        </span>
      </div>
      {connections.length === 0 ? <p class="muted">No connections yet. Add one below, or pick a provider from the catalogue.</p> : ''}
      {[...groups.values()].map((list) => (
        <div class="provider-group">
          <h3 class="group-title" safe>
            {list[0].providerName}
          </h3>
          {list.map((connection, index) => (
            <ConnectionCard connection={connection} now={now} first={index === 0} last={index === list.length - 1} canTest={canTest} />
          ))}
        </div>
      ))}
    </section>
  )
}
