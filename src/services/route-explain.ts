/**
 * "Where would a request for this name go?", answered without sending one: how the name resolves (aliases,
 * combos, prefixes, model mapping), which scenario rules could send a request elsewhere, and every candidate in
 * order with whether routing would use it now or pass over it, and why (cooling down, over budget, needs a login).
 * Read-only: it claims no half-open probe and moves no round-robin turn.
 * @module
 */
import { oauthServiceFor } from '../oauth'
import type { Connection } from '../store/connections'
import { budgetCheck } from './budgets'
import type { AppContext } from './context'
import { matchesPattern, resolveModel } from './resolve-model'
import { describeScenario } from './scenarios'

/** One candidate as routing would see it now. */
export interface ExplainedCandidate {
  model: string
  connection: string
  provider: string
  /** Why routing would pass over it now; undefined when it would try it. */
  skip?: string
  /** When that stops, if known. */
  until?: number
}

/** How a name resolves, and where a request for it would go. */
export interface RouteExplanation {
  model: string
  steps: string[]
  /** Scenario rules that could send a request for this name to another model, in words. */
  scenarios: string[]
  candidates: ExplainedCandidate[]
}

/** Why a connection is passed over right now, read without side effects. */
function skipOf(context: AppContext, connection: Connection, providerId: string, model: string): { skip?: string; until?: number } {
  const connectionId = connection.id
  const budget = budgetCheck(context, connectionId, providerId)
  if (budget.blocked) return { skip: budget.reason ?? 'over budget', until: budget.until }
  const oauth = oauthServiceFor(context).check(connection, model)
  if (oauth) return { skip: oauth.reason, until: oauth.until }
  const health = context.health.state(connectionId)
  if (health.state === 'cooling-down' || health.state === 'circuit-open' || health.state === 'needs-relogin') return { skip: `${health.state.replace('-', ' ')}: ${health.reason ?? ''}`.trim(), until: health.until }
  const cooling = health.models.find((entry) => entry.model === model)
  if (cooling) return { skip: `${model} cooling down: ${cooling.reason}`, until: cooling.until }
  return {}
}

/** Explains where a request for `model` would go now. */
export function explainRoute(context: AppContext, model: string): RouteExplanation {
  const steps: string[] = []
  const resolved = resolveModel(context.registry, model, 0, steps)
  if (resolved.length === 0 && steps.length === 0) steps.push(`"${model}" is not configured: no alias, combo, prefix or model mapping matches it`)
  const scenarios = (context.registry.settings.routing?.scenarios ?? [])
    .filter((rule) => rule.model !== model && (rule.match === undefined || matchesPattern(rule.match, model)))
    .map((rule) => `a request that ${describeScenario(rule)} goes to "${rule.model}"`)
  const candidates = resolved.map((candidate) => {
    const { connection, provider } = candidate.entry
    return { model: candidate.publicModel, connection: connection.name, provider: provider.id, ...skipOf(context, connection, provider.id, candidate.upstreamModel) }
  })
  return { model, steps, scenarios, candidates }
}
