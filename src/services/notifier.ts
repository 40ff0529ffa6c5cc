/**
 * Tells the user, through a webhook (`settings.notifications.webhookUrl`), when an account stops serving for
 * long — it needs a new login or key, it is out of quota, it is paused after repeated failures, or it reached its
 * budget — and again when it serves again; and when a budget passes its warning share, before it is reached. Checked once a minute against the state the dashboard shows; each
 * change is sent once. The body suits Slack (`text`), Discord (`content`) and scripts (the other fields).
 * @module
 */
import { listBudgetStatus } from './budgets'
import type { AppContext } from './context'

/** The kinds of alert a webhook can receive (`budget-warning`: a budget past its warning share, not yet reached). */
export type AlertKind = 'relogin' | 'quota' | 'paused' | 'budget' | 'budget-warning'

/** One account problem, as the notifier sees it. */
export interface Alert {
  kind: AlertKind
  /** What it is about: a connection name, or a budget's scope. */
  subject: string
  text: string
  provider?: string
  until?: number
}

/** A cooldown shorter than this is a passing rate limit, not worth a message. */
const LONG_COOLDOWN_MS = 15 * 60_000
const CHECK_EVERY_MS = 60_000
const SEND_TIMEOUT_MS = 5_000

const keyOf = (alert: Pick<Alert, 'kind' | 'subject'>) => `${alert.kind}\u0000${alert.subject}`
const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'

/**
 * Every account problem right now, from the health tracker and the budgets. A cooldown counts when it is long
 * (15 minutes or more) when first seen; one already `reported` stays a problem until it ends, however little is left.
 */
export function currentAlerts(context: AppContext, now = context.now(), reported: ReadonlySet<string> = new Set()): Alert[] {
  const alerts: Alert[] = []
  for (const { connection, provider } of context.registry.connections) {
    if (!connection.enabled) continue
    const health = context.health.state(connection.id)
    const base = { subject: connection.name, provider: provider.id }
    if (health.state === 'needs-relogin') {
      alerts.push({ ...base, kind: 'relogin', text: `${connection.name} (${provider.name}) needs a new login or key: ${health.reason ?? 'the upstream refused its credential'}.` })
    } else if (health.state === 'circuit-open') {
      alerts.push({ ...base, kind: 'paused', until: health.until, text: `${connection.name} (${provider.name}) is paused after repeated failures${health.until ? ` until ${at(health.until)}` : ''}: ${health.reason ?? 'upstream errors'}.` })
    } else if (health.state === 'cooling-down' && health.until !== undefined && (health.until - now >= LONG_COOLDOWN_MS || reported.has(keyOf({ kind: 'quota', subject: connection.name })))) {
      alerts.push({ ...base, kind: 'quota', until: health.until, text: `${connection.name} (${provider.name}) is out of quota until ${at(health.until)}: ${health.reason ?? 'rate limited'}.` })
    }
  }
  for (const status of listBudgetStatus(context, now)) {
    if (!status.blocked && !status.warning) continue
    const scope = status.budget.connection ?? `provider ${status.budget.provider}`
    const until = status.window.resetAt
    const subject = `${scope} ${status.budget.window}`
    if (status.blocked) {
      alerts.push({ kind: 'budget', subject, until, text: `${scope} reached its ${status.budget.window} budget; it is skipped${until ? ` until ${at(until)}` : ' until the window resets'}.` })
    } else {
      const { budget, used } = status
      const amounts = [budget.maxDollars === undefined ? '' : `$${used.dollars.toFixed(2)} of $${budget.maxDollars}`, budget.maxTokens === undefined ? '' : `${used.tokens} of ${budget.maxTokens} tokens`].filter(Boolean)
      const share = `${Math.floor(status.fraction * 100)}% of its ${budget.window} budget (${amounts.join(', ')})`
      alerts.push({ kind: 'budget-warning', subject, until, text: `${scope} has used ${share}; it is skipped once it reaches it${until ? `, until ${at(until)}` : ''}.` })
    }
  }
  return alerts
}


/** What is said when a problem is over. */
function recovery(alert: Alert): string {
  return alert.kind === 'budget' ? `${alert.subject.replace(/ \S+$/, '')} is within its budget again.` : `${alert.subject} serves requests again.`
}

/** The notifier: `check()` compares the alerts with the last check and sends what changed; `stop()` ends the timer. */
export function startNotifier(context: AppContext, everyMs = CHECK_EVERY_MS) {
  let known = new Map<string, Alert>()
  let primed = false
  const send = async (url: string, alert: Alert, resolved: boolean) => {
    const text = resolved ? recovery(alert) : alert.text
    const extra = { event: alert.kind, resolved, subject: alert.subject, provider: alert.provider, until: alert.until && new Date(alert.until).toISOString() }
    try {
      const status = await post(context, url, text, extra)
      if (status >= 300) console.error(`modelmux: the notification webhook answered ${status}`)
    } catch (error) {
      console.error(`modelmux: the notification webhook could not be reached: ${(error as Error).message}`)
    }
  }
  const check = async (): Promise<number> => {
    const url = context.registry.settings.notifications?.webhookUrl
    if (!url) {
      known = new Map()
      primed = false
      return 0
    }
    const now = new Map(currentAlerts(context, context.now(), new Set(known.keys())).map((alert) => [keyOf(alert), alert]))
    const sends: Promise<void>[] = []
    // The first check after start or after the webhook was set only learns the state: old news is not news.
    if (primed) {
      for (const [key, alert] of now) if (!known.has(key)) sends.push(send(url, alert, false))
      // A warning that lapses (the budget was reached, or its window reset) is not news of its own.
      for (const [key, alert] of known) if (!now.has(key) && alert.kind !== 'budget-warning') sends.push(send(url, alert, true))
    }
    known = now
    primed = true
    await Promise.all(sends)
    return sends.length
  }
  // A failed check (the store busy, say) is logged and tried again next time; it never ends the process.
  const timer = setInterval(() => void check().catch((error) => console.error(`modelmux: the notifier's check failed: ${(error as Error).message}`)), everyMs)
  timer.unref?.()
  return { check, stop: () => clearInterval(timer) }
}

/** Posts one message (`text` for Slack, `content` for Discord, then `extra`); resolves with the HTTP status, or throws when the webhook cannot be reached. */
async function post(context: AppContext, url: string, text: string, extra: Record<string, unknown>): Promise<number> {
  const body = { text: `modelmux: ${text}`, content: `modelmux: ${text}`, ...extra, at: new Date(context.now()).toISOString() }
  const response = await context.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(SEND_TIMEOUT_MS) })
  await response.body?.cancel()
  return response.status
}

/** Sends one test message to a webhook; resolves with the HTTP status, or throws when it cannot be reached. */
export function sendTestNotification(context: AppContext, url: string): Promise<number> {
  return post(context, url, 'this is a test message; account problems will be reported here.', { event: 'test' })
}
