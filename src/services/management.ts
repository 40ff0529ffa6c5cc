import { configFileSchema, settingsSchema, type Settings } from '../config/file'
import { getProvider } from '../providers'
import { deleteApiKey, listApiKeys } from '../store/api-keys'
import { listAliases, listCombos, upsertAlias, upsertCombo } from '../store/combos'
import { deleteConnection, listConnections, setConnectionEnabled, upsertConnection, type ConnectionInput } from '../store/connections'
import { deleteAlias, deleteCombo, renameConnection, setConnectionPriorities, updateCombo } from '../store/dashboard-queries'
import { getSetting, setSetting } from '../store/settings'
import { invalidatePricing } from './pricing'
import type { AppContext } from './context'
import { setPassword, verifyPassword } from './password'
import { modelPrefixOf } from './registry'

/** Field name → message, shown inline next to the field. */
export type FieldErrors = Record<string, string>

/** The result of a validated write: the stored value, or the errors to show. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors }

type Issue = { path: readonly PropertyKey[]; message: string; code?: string; origin?: string; minimum?: unknown; maximum?: unknown; expected?: string }

/** zod's message in words a form user reads easily. */
function friendlyMessage(issue: Issue): string {
  if (issue.code === 'too_small' && issue.origin === 'array') return 'add at least one'
  if (issue.code === 'too_small' && issue.origin === 'string') return 'required'
  if (issue.code === 'too_small' && issue.origin === 'number') return `at least ${String(issue.minimum)}`
  if (issue.code === 'too_big' && issue.origin === 'number') return `at most ${String(issue.maximum)}`
  if (issue.code === 'too_big' && issue.origin === 'string') return `at most ${String(issue.maximum)} characters`
  if (issue.code === 'invalid_type' && (issue.expected === 'number' || issue.expected === 'int')) return 'must be a whole number'
  return issue.message
}

/** Turns zod issues into field errors keyed by the last path segment that names a field. */
function toFieldErrors(issues: readonly Issue[], skip: number): FieldErrors {
  const errors: FieldErrors = {}
  for (const issue of issues) {
    const field = issue.path.slice(skip).filter((part) => typeof part === 'string').join('.') || 'form'
    errors[field] ??= friendlyMessage(issue)
  }
  return errors
}

/** zod issues as form errors keyed by field (`form` for the whole), in friendly words unless `messages` has a field's own. */
export function fieldErrorsOf(issues: readonly Issue[], messages: Readonly<Record<string, string>> = {}): FieldErrors {
  const errors = toFieldErrors(issues, 0)
  for (const key of Object.keys(errors)) errors[key] = messages[key] ?? errors[key]
  return errors
}

const blank = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '')

/** A connection draft from form fields (strings) in the config file's shape. */
export function connectionDraftFromForm(form: Record<string, unknown>): Record<string, unknown> {
  const text = (key: string) => (blank(form[key]) ? undefined : String(form[key]).trim())
  const models = text('models')
  const priority = text('priority')
  return {
    name: text('name') ?? '',
    provider: text('provider') ?? '',
    prefix: text('prefix'),
    baseUrl: text('baseUrl'),
    apiKey: blank(form.apiKey) ? undefined : String(form.apiKey),
    models: models === undefined ? undefined : models.split(/[\s,]+/).filter(Boolean),
    priority: priority === undefined ? undefined : /^-?\d+$/.test(priority) ? Number(priority) : priority,
    enabled: form.enabled === undefined ? undefined : form.enabled === true || form.enabled === 'true' || form.enabled === 'on',
    options: proxyOption(form),
  }
}

/** The form's proxy as an options patch: a value sets it, a cleared known value (`proxyKnown`) removes it, else unchanged. */
function proxyOption(form: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!blank(form.proxy)) return { proxy: String(form.proxy).trim() }
  return form.proxyKnown === '1' ? { proxy: null } : undefined
}

/** Merges an options patch into the stored options (`null` removes a key); undefined when nothing is set. */
function mergeOptions(stored: Record<string, unknown>, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch
  const merged: Record<string, unknown> = { ...stored, ...patch }
  for (const [key, value] of Object.entries(merged)) if (value === null) delete merged[key]
  return merged
}

/** Validates a connection draft with the config file's schema, plus the dashboard's own rules. */
export function validateConnection(context: AppContext, draft: Record<string, unknown>, editingId?: number): Outcome<ConnectionInput> {
  if (blank(draft.provider)) return { ok: false, errors: { provider: 'choose a provider', ...(blank(draft.name) ? { name: 'name is required' } : {}) } }
  const stored = context.registry.connections.find(({ connection }) => connection.id === editingId)?.connection.options ?? {}
  const cleaned = Object.fromEntries(Object.entries({ ...draft, options: mergeOptions(stored, draft.options) }).filter(([, value]) => value !== undefined))
  const parsed = configFileSchema.safeParse({ connections: [cleaned] })
  const errors: FieldErrors = parsed.success ? {} : toFieldErrors(parsed.error.issues, 2)
  const existing = context.registry.connections.find(({ connection }) => connection.name === draft.name)
  if (blank(draft.name)) errors.name = 'name is required'
  if (existing && existing.connection.id !== editingId) errors.name ??= `a connection named "${String(draft.name)}" exists`
  const provider = getProvider(String(draft.provider ?? ''))
  const needsKey = provider && !provider.custom && provider.auth.kind !== 'none' && !provider.anonymousKey
  if (needsKey && editingId === undefined && blank(draft.apiKey)) errors.apiKey ??= `required for ${provider.name}`
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors }
  return { ok: true, value: parsed.data.connections[0] }
}

/** Creates a connection (validated); reloads routing. */
export function createConnection(context: AppContext, draft: Record<string, unknown>): Outcome<number> {
  const checked = validateConnection(context, draft)
  if (!checked.ok) return checked
  const id = upsertConnection(context.db, context.encryptionKey, checked.value, context.now())
  context.reload()
  return { ok: true, value: id }
}

/** Updates a connection by id (a blank key keeps the stored one); reloads routing. */
export function updateConnection(context: AppContext, id: number, draft: Record<string, unknown>): Outcome<number> | undefined {
  const current = context.registry.connections.find(({ connection }) => connection.id === id)
  if (!current) return undefined
  const checked = validateConnection(context, draft, id)
  if (!checked.ok) return checked
  context.db.transaction(() => {
    if (checked.value.name !== current.connection.name) renameConnection(context.db, id, checked.value.name, context.now())
    upsertConnection(context.db, context.encryptionKey, { prefix: null, baseUrl: null, ...checked.value, models: checked.value.models ?? [] }, context.now())
  })()
  context.reload()
  return { ok: true, value: id }
}

/** Deletes a connection and forgets its health; returns whether it existed. */
export function removeConnection(context: AppContext, id: number): boolean {
  const removed = deleteConnection(context.db, id)
  if (removed) {
    context.health.clear(id)
    context.reload()
  }
  return removed
}

/** Enables or disables a connection; returns whether it existed. */
export function toggleConnection(context: AppContext, id: number, enabled: boolean): boolean {
  const changed = setConnectionEnabled(context.db, id, enabled, context.now())
  if (changed) context.reload()
  return changed
}

/** Moves a connection one place up or down among its provider's accounts and renumbers them 1..n. */
export function moveConnection(context: AppContext, id: number, direction: 'up' | 'down'): boolean {
  const all = listConnections(context.db, context.encryptionKey)
  const target = all.find((connection) => connection.id === id)
  if (!target) return false
  const siblings = all.filter((connection) => connection.provider === target.provider)
  const index = siblings.indexOf(target)
  const swapWith = direction === 'up' ? index - 1 : index + 1
  if (swapWith >= 0 && swapWith < siblings.length) [siblings[index], siblings[swapWith]] = [siblings[swapWith], siblings[index]]
  setConnectionPriorities(context.db, new Map(siblings.map((connection, position) => [connection.id, position + 1])), context.now())
  context.reload()
  return true
}

/** Creates or edits a combo (by id when given): a unique name and at least one model. */
export function saveCombo(context: AppContext, input: { id?: number; name: unknown; models: unknown; strategy?: unknown }): Outcome<string> {
  const models = Array.isArray(input.models) ? input.models.map((model) => String(model).trim()).filter(Boolean) : input.models
  const strategy = input.strategy === undefined || input.strategy === '' ? undefined : input.strategy
  const parsed = configFileSchema.safeParse({ combos: [{ name: typeof input.name === 'string' ? input.name.trim() : input.name, models, strategy }] })
  const errors: FieldErrors = parsed.success ? {} : toFieldErrors(parsed.error.issues, 2)
  const combos = listCombos(context.db)
  const name = parsed.success ? parsed.data.combos[0].name : String(input.name ?? '')
  if (combos.some((combo) => combo.name === name && combo.id !== input.id)) errors.name ??= `a combo named "${name}" exists`
  if (listAliases(context.db)[name] !== undefined) errors.name ??= `"${name}" is already an alias`
  if (input.id !== undefined && !combos.some((combo) => combo.id === input.id)) errors.form = 'this combo no longer exists'
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors }
  const combo = parsed.data.combos[0]
  if (input.id === undefined) upsertCombo(context.db, combo.name, combo.models, context.now(), combo.strategy)
  else updateCombo(context.db, input.id, combo.name, combo.models, context.now(), combo.strategy)
  context.reload()
  return { ok: true, value: combo.name }
}

/** Deletes a combo; returns whether it existed. */
export function removeCombo(context: AppContext, id: number): boolean {
  const removed = deleteCombo(context.db, id)
  if (removed) context.reload()
  return removed
}

/** Creates or replaces an alias (name → model, combo or alias). */
export function saveAlias(context: AppContext, input: { name: unknown; target: unknown }): Outcome<string> {
  const name = typeof input.name === 'string' ? input.name.trim() : ''
  const target = typeof input.target === 'string' ? input.target.trim() : ''
  const errors: FieldErrors = {}
  if (!name) errors.name = 'name is required'
  else if (name.length > 100) errors.name = 'at most 100 characters'
  if (!target) errors.target = 'target is required'
  if (name && name === target) errors.target = 'an alias cannot point at itself'
  if (name && listCombos(context.db).some((combo) => combo.name === name)) errors.name ??= `"${name}" is already a combo`
  const parsed = configFileSchema.safeParse({ aliases: { [name]: target } })
  if (!parsed.success) Object.assign(errors, { ...toFieldErrors(parsed.error.issues, 2), ...errors })
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  upsertAlias(context.db, name, target, context.now())
  context.reload()
  return { ok: true, value: name }
}

/** Deletes an alias; returns whether it existed. */
export function removeAlias(context: AppContext, name: string): boolean {
  const removed = deleteAlias(context.db, name)
  if (removed) context.reload()
  return removed
}

/** The stored settings (not the environment's overrides). */
export function readSettings(context: AppContext): Settings {
  return getSetting<Settings>(context.db, 'settings') ?? {}
}

/** Merges a patch into the settings after validating the result; reloads routing. */
export function patchSettings(context: AppContext, patch: (current: Settings) => Settings): Outcome<Settings> {
  const next = patch(structuredClone(readSettings(context)))
  const parsed = settingsSchema.safeParse(next)
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error.issues, 0) }
  setSetting(context.db, 'settings', parsed.data)
  invalidatePricing(context.db)
  context.reload()
  return { ok: true, value: parsed.data }
}

/** Adds a model-mapping rule (`match` → `target`) at the end. */
export function addMapping(context: AppContext, match: unknown, target: unknown): Outcome<Settings> {
  const rule = { match: typeof match === 'string' ? match.trim() : '', target: typeof target === 'string' ? target.trim() : '' }
  const errors: FieldErrors = {}
  if (!rule.match) errors.match = 'pattern is required'
  if (!rule.target) errors.target = 'target is required'
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return patchSettings(context, (settings) => ({
    ...settings,
    routing: { ...settings.routing, modelMapping: [...(settings.routing?.modelMapping ?? []), rule] },
  }))
}

/** The scenario kinds a rule can route on, in the order the form lists them. */
export const scenarioKinds = ['web-search', 'long-context', 'images', 'thinking'] as const

/** Adds a scenario rule (`when` → `model`, optionally only for names matching `match`) at the end; errors keyed by form field. */
export function addScenario(context: AppContext, form: Record<string, unknown>): Outcome<Settings> {
  const text = (key: string) => (typeof form[key] === 'string' ? (form[key] as string).trim() : '')
  const when = text('when')
  const errors: FieldErrors = {}
  if (!(scenarioKinds as readonly string[]).includes(when)) errors.when = 'pick a scenario'
  if (!text('model')) errors.model = 'target is required'
  const minTokens = formCount(form.minTokens)
  if (minTokens !== undefined && (typeof minTokens !== 'number' || minTokens < 1)) errors.minTokens = 'a whole number of tokens'
  else if (minTokens !== undefined && when !== 'long-context') errors.minTokens = 'only for long-context rules'
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  const rule = { when, model: text('model'), ...(text('match') ? { match: text('match') } : {}), ...(minTokens !== undefined ? { minTokens } : {}) }
  return patchSettings(context, (settings) => ({
    ...settings,
    routing: { ...settings.routing, scenarios: [...(settings.routing?.scenarios ?? []), rule as NonNullable<NonNullable<Settings['routing']>['scenarios']>[number]] },
  }))
}

/** Removes or moves one routing rule (model mapping or scenario) by index. */
export function editRoutingRule(context: AppContext, list: 'modelMapping' | 'scenarios', index: number, action: 'delete' | 'up' | 'down'): Outcome<Settings> {
  return patchSettings(context, (settings) => {
    const rules: unknown[] = [...(settings.routing?.[list] ?? [])]
    if (index < 0 || index >= rules.length) return settings
    if (action === 'delete') rules.splice(index, 1)
    else {
      const other = action === 'up' ? index - 1 : index + 1
      if (other >= 0 && other < rules.length) [rules[index], rules[other]] = [rules[other], rules[index]]
    }
    return { ...settings, routing: { ...settings.routing, [list]: rules } }
  })
}

/** Parses the timeouts form (seconds, as people think of them) into milliseconds. */
export function timeoutsFromForm(form: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const field of ['connectMs', 'firstByteMs', 'idleMs', 'totalMs']) {
    const raw = form[field]
    if (blank(raw)) continue
    const seconds = Number(String(raw).trim())
    out[field] = Number.isFinite(seconds) ? Math.round(seconds * 1000) : String(raw)
  }
  return out
}

/** A form number: a finite number scaled by `unit`, else the raw text (so validation names the field); undefined when blank. */
function formNumber(raw: unknown, unit = 1): number | string | undefined {
  if (blank(raw)) return undefined
  const value = Number(String(raw).trim())
  return Number.isFinite(value) ? Math.round(value * unit) : String(raw)
}

/**
 * A typed amount (dollars, a percentage): `$0.5`, `0.5` and `2,000,000` are numbers; anything else stays the raw text
 * (so validation refuses it with the field's own error); undefined when blank.
 */
export function formAmount(raw: unknown): number | string | undefined {
  if (blank(raw)) return undefined
  const text = String(raw).trim().replace(/^\$/, '').replace(/(?<=\d)[,_](?=\d{3})/g, '')
  return /^\d*\.?\d+$|^\d+\.$/.test(text) ? Number(text) : String(raw)
}

/** A form count: a whole number, else the raw text (so validation says it must be one); undefined when blank. */
function formCount(raw: unknown): number | string | undefined {
  if (blank(raw)) return undefined
  const value = Number(String(raw).trim())
  return Number.isInteger(value) ? value : String(raw)
}

/** Parses the token-saver form (on/off, line limit; blank: never cut) into `settings.tokenSaver` (a bad limit stays text, for validation to refuse). */
export function tokenSaverFromForm(form: Record<string, unknown>): Settings['tokenSaver'] {
  const maxLines = formCount(form.maxLines)
  return { enabled: form.enabled === 'on' || form.enabled === true, ...(maxLines === undefined ? {} : { maxLines: maxLines as number }) }
}

/** Parses the request-logging form (on/off, body cap in KB) into `settings.requestLogs`. */
export function requestLogsFromForm(form: Record<string, unknown>): Record<string, unknown> {
  const maxBodyBytes = formNumber(form.maxBodyKb, 1024)
  return { enabled: form.enabled === 'on' || form.enabled === true, ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }) }
}

/** Parses the retention form (days) into `settings.retention`. */
export function retentionFromForm(form: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of ['usageDays', 'requestLogDays']) {
    const value = formCount(form[key])
    if (value !== undefined) out[key] = value
  }
  return out
}

/** Applies the tiers form (`tier.<connection name>` = subscription, free, paid or default) to the stored tiers. */
export function tiersFromForm(form: Record<string, unknown>, current: Settings['tiers'], names: string[]): Settings['tiers'] {
  const tiers: Record<string, string> = { ...current }
  for (const name of names) {
    const raw = form[`tier.${name}`]
    if (raw === undefined) continue
    const choice = String(Array.isArray(raw) ? raw[0] : raw)
    if (choice === 'default') delete tiers[name]
    else tiers[name] = choice
  }
  // Unknown choices reach the schema as they are, which names them.
  return tiers as Settings['tiers']
}

/** Changes the dashboard password after checking the current one; every older session stops working. */
export async function changePassword(context: AppContext, input: { current: unknown; next: unknown; confirm: unknown }): Promise<Outcome<true>> {
  const errors: FieldErrors = {}
  const next = typeof input.next === 'string' ? input.next : ''
  if (!(await verifyPassword(context.db, typeof input.current === 'string' ? input.current : ''))) errors.current = 'wrong password'
  if (next.length < 8) errors.next = 'at least 8 characters'
  else if (next.length > 1024) errors.next = 'at most 1024 characters'
  if (input.confirm !== next) errors.confirm = 'does not match'
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  await setPassword(context.db, next)
  return { ok: true, value: true }
}

/** Model names a combo, alias or tool may use: combos, aliases, then `<prefix>/<model>` of enabled connections. */
export function listModelChoices(context: AppContext): string[] {
  const names = new Set<string>([...context.registry.combos.keys(), ...context.registry.aliases.keys()])
  for (const entry of context.registry.connections) {
    const { connection, provider } = entry
    if (!connection.enabled) continue
    const prefix = modelPrefixOf(entry)
    for (const model of [...connection.models, ...(provider.models ?? []).map((info) => info.id)]) names.add(`${prefix}/${model}`)
  }
  return [...names]
}

/** Deletes a client key and its own limits (a later key of the same name starts without them); returns whether it existed. */
export function revokeApiKey(context: AppContext, id: number): boolean {
  const key = listApiKeys(context.db).find((row) => row.id === id)
  if (!key || !deleteApiKey(context.db, id)) return false
  if (readSettings(context).keyLimits?.[key.name] !== undefined) {
    patchSettings(context, (settings) => {
      const keyLimits = { ...settings.keyLimits }
      delete keyLimits[key.name]
      return { ...settings, keyLimits }
    })
  }
  context.reload()
  return true
}

/** Sets one client key's own limits from the dashboard form (a blank field sets no limit of its own); errors are keyed by form field. */
export function setKeyLimits(context: AppContext, keyName: string, form: Record<string, unknown>): Outcome<Settings> {
  const own: Record<string, unknown> = {}
  const requestsPerMinute = formCount(form.requestsPerMinute)
  if (requestsPerMinute !== undefined) own.requestsPerMinute = requestsPerMinute
  const tokensPerDay = formCount(form.tokensPerDay)
  if (tokensPerDay !== undefined) own.tokensPerDay = tokensPerDay
  for (const name of ['dollarsPerDay', 'dollarsPerMonth'] as const) {
    const dollars = formAmount(form[name])
    if (dollars !== undefined) own[name] = dollars
  }
  const models = String(form.models ?? '')
    .split(/[,\n]/)
    .map((model) => model.trim())
    .filter(Boolean)
  if (models.length > 0) own.models = models
  const result = patchSettings(context, (settings) => {
    const keyLimits: Record<string, unknown> = { ...settings.keyLimits }
    if (Object.keys(own).length > 0) keyLimits[keyName] = own
    else delete keyLimits[keyName]
    return { ...settings, keyLimits: Object.keys(keyLimits).length > 0 ? (keyLimits as Settings['keyLimits']) : undefined }
  })
  if (result.ok) return result
  const prefix = `keyLimits.${keyName}.`
  const field = (key: string) => (key.startsWith(prefix) ? key.slice(prefix.length) : 'form')
  // Dollars may have cents: the generic "whole number" message does not fit them.
  return { ok: false, errors: Object.fromEntries(Object.entries(result.errors).map(([key, message]) => [field(key), field(key).startsWith('dollarsPer') ? 'a number of dollars above 0' : message])) }
}
