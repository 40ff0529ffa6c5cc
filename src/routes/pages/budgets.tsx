import { Elysia } from 'elysia'
import { BudgetsSection, budgetWindows, type BudgetsSectionProps } from '../../../views/partials/budgets-section'
import { settingsSchema } from '../../config/file'
import { clearBudgetCache, listBudgets, resetRuleOf } from '../../services/budgets'
import type { AppContext } from '../../services/context'
import { fieldErrorsOf, formAmount, patchSettings } from '../../services/management'
import { field, readForm, renderFragment } from './render'

const budgetSchema = settingsSchema.shape.budgets.unwrap().element
const fields = ['target', 'window', 'maxDollars', 'maxTokens', 'warnAt'] as const
const budgetErrors = {
  maxDollars: 'a number of dollars above 0',
  maxTokens: 'a whole number of tokens above 0',
  warnAt: 'a percentage from 1 to 100',
  form: 'Set dollars, tokens or both.',
}

const ruleFields = ['timeZone', 'resetHour', 'weekStartsOn', 'monthResetDay'] as const
const ruleErrors: Record<string, string> = {
  'quota.timeZone': 'an IANA time zone, such as Europe/Berlin',
  'quota.monthResetDay': 'a day of the month from 1 to 31',
}

/** What a new limit may apply to: each connection, then every connection of each provider in use. */
function budgetTargets(context: AppContext): BudgetsSectionProps['targets'] {
  const connections = context.registry.connections.map(({ connection, provider }) => ({ value: `connection:${connection.name}`, label: `${connection.name} (${provider.name})` }))
  const providers = [...new Map(context.registry.connections.map(({ provider }) => [provider.id, provider.name]))].map(([id, name]) => ({ value: `provider:${id}`, label: `every ${name} connection` }))
  return [...connections, ...providers]
}

/** What the budgets section shows now, with anything given in `extra` (typed values, errors, a notice). */
export function budgetsSection(context: AppContext, extra: Partial<BudgetsSectionProps> = {}): BudgetsSectionProps {
  const now = context.now()
  return { rows: listBudgets(context, now), rule: resetRuleOf(context.registry.settings), targets: budgetTargets(context), now, ...extra }
}

/** The Quota page's spending limits: add one for a connection or a provider, or remove one. */
export function budgetsPages(context: AppContext) {
  const section = (extra: Partial<BudgetsSectionProps> = {}) => renderFragment(<BudgetsSection {...budgetsSection(context, extra)} />)
  return new Elysia({ name: 'pages/budgets' })
    .post('/quota/budgets', async ({ request }) => {
      const form = await readForm(request)
      const values = Object.fromEntries(fields.map((name) => [name, field(form, name)]))
      const target = budgetTargets(context).find((choice) => choice.value === values.target)?.value
      const warnPercent = formAmount(values.warnAt)
      const budget = {
        ...(target?.startsWith('connection:') ? { connection: target.slice('connection:'.length) } : { provider: target?.slice('provider:'.length) ?? '' }),
        window: values.window in budgetWindows ? values.window : 'daily',
        maxDollars: formAmount(values.maxDollars),
        maxTokens: formAmount(values.maxTokens),
        warnAt: typeof warnPercent === 'number' && warnPercent >= 1 && warnPercent <= 100 ? warnPercent / 100 : warnPercent === undefined ? undefined : NaN,
      }
      const parsed = budgetSchema.safeParse(budget)
      if (!target || !parsed.success) {
        const errors = parsed.success ? {} : fieldErrorsOf(parsed.error.issues, budgetErrors)
        return section({ values, errors: target ? errors : { ...errors, target: 'choose a connection or a provider' } })
      }
      const result = patchSettings(context, (settings) => ({ ...settings, budgets: [...(settings.budgets ?? []), parsed.data] }))
      if (!result.ok) return section({ values, errors: { form: Object.values(result.errors)[0] } })
      clearBudgetCache(context.db)
      return section({ notice: 'Limit added.' })
    })
    .post('/quota/reset-rule', async ({ request }) => {
      const form = await readForm(request)
      const values = Object.fromEntries(ruleFields.map((name) => [name, field(form, name)]))
      const quota = { timeZone: values.timeZone.trim() || 'UTC', resetHour: Number(values.resetHour), weekStartsOn: Number(values.weekStartsOn), monthResetDay: formAmount(values.monthResetDay) ?? 1 }
      const result = patchSettings(context, (settings) => ({ ...settings, quota: quota as NonNullable<typeof settings.quota> }))
      if (!result.ok) {
        const errors = Object.fromEntries(Object.entries(result.errors).map(([key, message]) => [key.replace(/^quota\./, ''), ruleErrors[key] ?? message]))
        return section({ values, errors })
      }
      clearBudgetCache(context.db)
      return section({ notice: `Saved: days start at ${String(quota.resetHour).padStart(2, '0')}:00 ${quota.timeZone}.` })
    })
    .post('/quota/budgets/remove', async ({ request }) => {
      const form = await readForm(request)
      const index = Number(field(form, 'index'))
      // The limit shown must still be the one at that place (as the page drew it): the list may have changed since.
      const shown = context.registry.settings.budgets?.[index]
      if (!Number.isInteger(index) || !shown || JSON.stringify(shown) !== field(form, 'budget')) return section({ errors: { form: 'The limits changed meanwhile; nothing was removed.' } })
      const result = patchSettings(context, (settings) => ({ ...settings, budgets: (settings.budgets ?? []).filter((_, at) => at !== index) }))
      if (!result.ok) return section({ errors: { form: Object.values(result.errors)[0] } })
      clearBudgetCache(context.db)
      return section({ notice: 'Limit removed.' })
    })
}
