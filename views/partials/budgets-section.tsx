import type { Budget, BudgetStatus } from '../../src/services/budgets'
import { Countdown, Meter } from '../components/meter'
import { Badge, Field, FieldError, Notice, SelectField, formatCount, type Errors } from '../components/ui'

/** The windows a budget can count over, as the form names them. */
export const budgetWindows = { '5h': '5 hours (rolling)', daily: 'day', weekly: 'week', monthly: 'month' } as const

const windowChoices = Object.entries(budgetWindows).map(([value, label]) => ({ value, label }))

/** One configured budget: its place in the settings, and its status (none when its connection is gone). */
export interface BudgetRow {
  index: number
  budget: Budget
  status?: BudgetStatus
}

/** Where calendar windows (day, week, month) start: a time zone, an hour, a weekday (0 = Sunday) and a day of the month. */
export interface ResetRuleView {
  timeZone: string
  resetHour: number
  weekStartsOn: number
  monthResetDay: number
}

const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'].map((label, day) => ({ value: String(day), label }))
const hours = Array.from({ length: 24 }, (_, hour) => ({ value: String(hour), label: `${String(hour).padStart(2, '0')}:00` }))

/** What the budgets section shows: the budgets, what a new one may apply to, where windows reset, and the forms' state. */
export interface BudgetsSectionProps {
  rows: BudgetRow[]
  rule: ResetRuleView
  /** Choices for "applies to": `connection:<name>` or `provider:<id>`, with labels. */
  targets: { value: string; label: string }[]
  now: number
  values?: Record<string, string>
  errors?: Errors
  notice?: string
}

/** `$1.2345` below a dollar, `$12.34` above. */
const money = (value: number) => (value < 1 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`)

function scopeOf(budget: Budget): string {
  return budget.connection !== undefined ? `connection ${budget.connection}` : `every ${budget.provider} connection`
}

function BudgetLine({ row, now }: { row: BudgetRow; now: number }) {
  const { budget, status } = row
  const limits = [
    budget.maxDollars === undefined ? '' : `${status ? money(status.used.dollars) : '?'} of ${money(budget.maxDollars)}`,
    budget.maxTokens === undefined ? '' : `${status ? formatCount(status.used.tokens) : '?'} of ${formatCount(budget.maxTokens)} tokens`,
  ].filter(Boolean)
  const percent = status ? status.fraction * 100 : 0
  return (
    <li class="budget" data-budget={String(row.index)}>
      <div class="budget-head">
        <strong safe>{scopeOf(budget)}</strong>
        <span class="muted small-text" safe>{`per ${budgetWindows[budget.window]}`}</span>
        {status?.blocked ? <Badge tone="bad">reached: routing skips it</Badge> : status?.warning ? <Badge tone="warn">{`over ${Math.round((budget.warnAt ?? 0.8) * 100)}%`}</Badge> : ''}
        {status ? '' : <Badge tone="muted">no such connection</Badge>}
        <form method="post" action="/dashboard/quota/budgets/remove" hx-post="/dashboard/quota/budgets/remove" hx-target="#budgets" hx-swap="outerHTML" hx-confirm={`Remove the ${budgetWindows[budget.window]} limit of ${scopeOf(budget)}?`}>
          <input type="hidden" name="index" value={String(row.index)} />
          <input type="hidden" name="budget" value={JSON.stringify(budget)} />
          <button type="submit" class="small danger">
            Remove
          </button>
        </form>
      </div>
      <Meter percent={percent} label={`${scopeOf(budget)}: ${Math.round(percent)}% of its limit`} />
      <div class="small-text">
        <span safe>{limits.join(' · ')}</span>
        {budget.maxDollars !== undefined && status && status.used.unpriced > 0 ? (
          <>
            {' · '}
            <a href="/dashboard/settings#prices" safe>{`${status.used.unpriced} request(s) with no known price count $0: set a price`}</a>
          </>
        ) : (
          ''
        )}
        {status?.window.resetAt !== undefined ? (
          <>
            {' · resets '}
            <Countdown at={status.window.resetAt} now={now} />
          </>
        ) : (
          ''
        )}
      </div>
    </li>
  )
}

/** Spending limits: per connection or provider and window; a connection over one is skipped by routing until it resets. */
export function BudgetsSection(props: BudgetsSectionProps) {
  const errors = props.errors ?? {}
  const values = props.values ?? {}
  return (
    <section class="card" id="budgets">
      <h2>Spending limits</h2>
      <p class="muted">
        A limit in dollars (at your tier: subscriptions and free tiers spend nothing) or tokens per connection or provider. Once one is reached, routing
        skips that connection until the window resets, so a combo falls through to its next model.
      </p>
      {props.rows.length === 0 ? <p class="muted small-text">No limits set.</p> : <ul class="budgets">{props.rows.map((row) => <BudgetLine row={row} now={props.now} />)}</ul>}
      {props.targets.length === 0 ? (
        <p class="muted small-text">Add a connection to set a limit on it.</p>
      ) : (
        <form hx-post="/dashboard/quota/budgets" hx-target="#budgets" hx-swap="outerHTML" method="post" action="/dashboard/quota/budgets">
          <div class="form-grid">
            <SelectField label="Applies to" name="target" id="budget-target" options={props.targets} selected={values.target} error={errors.target} />
            <SelectField label="Per" name="window" id="budget-window" options={windowChoices} selected={values.window ?? 'daily'} />
            <Field label="Dollars at most" name="maxDollars" id="budget-dollars" value={values.maxDollars} error={errors.maxDollars} inputmode="decimal" placeholder="5" />
            <Field label="Tokens at most" name="maxTokens" id="budget-tokens" value={values.maxTokens} error={errors.maxTokens} inputmode="numeric" placeholder="2000000" />
            <Field label="Warn at (%)" name="warnAt" id="budget-warn" value={values.warnAt} error={errors.warnAt} inputmode="numeric" placeholder="80" />
          </div>
          <FieldError error={errors.form} />
          <button type="submit">Add limit</button>
        </form>
      )}
      <ResetRuleForm rule={props.rule} values={values} errors={errors} />
      <Notice tone="ok" text={props.notice} />
    </section>
  )
}

/** Where days, weeks and months start, for limits (and key limits) counted per day, week or month. */
function ResetRuleForm({ rule, values, errors }: { rule: ResetRuleView; values: Record<string, string>; errors: Errors }) {
  const chosen = (name: keyof ResetRuleView) => values[name] ?? String(rule[name])
  return (
    <form class="reset-rule" hx-post="/dashboard/quota/reset-rule" hx-target="#budgets" hx-swap="outerHTML" method="post" action="/dashboard/quota/reset-rule">
      <h3>When days, weeks and months start</h3>
      <div class="form-grid">
        <Field label="Time zone" name="timeZone" id="reset-zone" value={chosen('timeZone')} error={errors.timeZone} placeholder="Europe/Berlin" hint="An IANA name, such as America/New_York or Asia/Tokyo." />
        <SelectField label="Day starts at" name="resetHour" id="reset-hour" options={hours} selected={chosen('resetHour')} error={errors.resetHour} />
        <SelectField label="Week starts on" name="weekStartsOn" id="reset-week" options={weekdays} selected={chosen('weekStartsOn')} error={errors.weekStartsOn} />
        <Field label="Month starts on day" name="monthResetDay" id="reset-month" value={chosen('monthResetDay')} error={errors.monthResetDay} inputmode="numeric" hint="1 to 31; a shorter month starts on its last day." />
      </div>
      <button type="submit" class="secondary">
        Save
      </button>
    </form>
  )
}
