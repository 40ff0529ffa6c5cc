import { ProxyError } from '../core/errors'
import type { ListedModel } from '../formats/model-list'
import { modelPrefixOf, prefixesOf, type ConnectionEntry, type Registry } from './registry'

/** One way to serve a request: a connection and the model name to send it. */
export interface Candidate {
  entry: ConnectionEntry
  /** The model id sent upstream. */
  upstreamModel: string
  /** The id named to the client as the model that answered: `<prefix>/<model>`. */
  publicModel: string
}

const MAX_ALIAS_DEPTH = 8

function resolvePrefixed(registry: Registry, model: string): Candidate[] {
  const slash = model.indexOf('/')
  if (slash <= 0 || slash === model.length - 1) return []
  const prefix = model.slice(0, slash)
  const upstreamModel = model.slice(slash + 1)
  const entries = registry.byPrefix.get(prefix) ?? []
  return entries.map((entry) => ({ entry, upstreamModel, publicModel: model }))
}

const patternCache = new Map<string, RegExp>()

/** Whether a model name matches a mapping pattern (`*` matches any run of characters, case-insensitive). */
export function matchesPattern(pattern: string, model: string): boolean {
  let regex = patternCache.get(pattern)
  if (!regex) {
    regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i')
    patternCache.set(pattern, regex)
  }
  return regex.test(model)
}

/**
 * Turns a requested model into the ordered candidates that may serve it.
 * Precedence: alias, then combo, then `<prefix>/<model>`, then the first matching `routing.modelMapping`
 * pattern (for names coding tools send on their own, such as `claude-haiku-4-5-20251001`).
 */
export function resolveModel(registry: Registry, model: string, depth = 0, trace?: string[]): Candidate[] {
  if (depth > MAX_ALIAS_DEPTH) return []
  const alias = registry.aliases.get(model)
  if (alias !== undefined && alias !== model) {
    trace?.push(`"${model}" is an alias of "${alias}"`)
    return resolveModel(registry, alias, depth + 1, trace)
  }
  const combo = registry.combos.get(model)
  if (combo) {
    trace?.push(`"${model}" is a combo (${combo.strategy === 'round-robin' ? 'round-robin' : 'in order'}): ${combo.models.join(', ')}`)
    return combo.models.flatMap((member) => resolveModel(registry, member, depth + 1, trace))
  }
  const prefixed = resolvePrefixed(registry, model)
  if (prefixed.length > 0 || depth > 0) {
    trace?.push(prefixed.length > 0 ? `"${model}" goes to ${prefixed.map((candidate) => candidate.entry.connection.name).join(', ')}` : `"${model}": no enabled connection has its prefix`)
    return prefixed
  }
  for (const { match, target } of registry.settings.routing?.modelMapping ?? []) {
    if (target !== model && matchesPattern(match, model)) {
      trace?.push(`"${model}" matches the model mapping "${match}" → "${target}"`)
      return resolveModel(registry, target, depth + 1, trace)
    }
  }
  return []
}

/** Every model id a client can ask for, for `GET /v1/models`, with its context window when the provider's catalogue has it. */
export function listModelIds(registry: Registry): ListedModel[] {
  const listed = new Map<string, ListedModel>()
  for (const entry of registry.connections) {
    const { connection, provider } = entry
    if (!connection.enabled) continue
    const prefix = modelPrefixOf(entry)
    const catalogue = new Map((provider.models ?? []).map((model) => [model.id, model]))
    const models = connection.models.length > 0 ? connection.models : [...catalogue.keys()]
    for (const model of models) {
      const id = `${prefix}/${model}`
      const contextWindow = catalogue.get(model)?.contextWindow
      listed.set(id, contextWindow === undefined ? { id, ownedBy: provider.id } : { id, ownedBy: provider.id, contextWindow })
    }
  }
  for (const id of registry.combos.keys()) listed.set(id, { id, ownedBy: 'combo' })
  for (const id of registry.aliases.keys()) listed.set(id, { id, ownedBy: 'alias' })
  return [...listed.values()]
}

/** A model a client may ask for, listed or not (`<prefix>/<any model>`, a mapped name): undefined when nothing serves it. */
export function findModel(registry: Registry, id: string): ListedModel | undefined {
  const listed = listModelIds(registry).find((model) => model.id === id)
  if (listed) return listed
  const candidate = resolveModel(registry, id)[0]
  return candidate && { id, ownedBy: candidate.entry.provider.id }
}

/** A round-robin combo's name and its members' candidates, one group per member. */
export interface ComboRotation {
  name: string
  groups: Candidate[][]
}

/** The round-robin combo a model name leads to (through aliases), with its members' candidates in combo order; undefined for any other name. */
export function roundRobinCombo(registry: Registry, model: string): ComboRotation | undefined {
  let name = model
  for (let depth = 0; depth <= MAX_ALIAS_DEPTH; depth++) {
    const combo = registry.combos.get(name)
    if (combo) {
      if (combo.strategy !== 'round-robin') return undefined
      const groups = combo.models.map((member) => resolveModel(registry, member, 1)).filter((group) => group.length > 0)
      return groups.length > 1 ? { name: combo.name, groups } : undefined
    }
    const alias = registry.aliases.get(name)
    if (alias === undefined || alias === name) return undefined
    name = alias
  }
  return undefined
}

// How many listed ids an unknown model's error suggests at most.
const MAX_SUGGESTIONS = 3

/**
 * What is wrong with a model nothing serves, and what the client likely meant, in a sentence or two. Only ids the
 * client may use (`mayUse`) are suggested, and no connection is named.
 */
function unknownModelHint(registry: Registry, model: string, mayUse: (id: string) => boolean): string {
  if (!registry.connections.some(({ connection }) => connection.enabled)) {
    return 'no connection is set up yet: add one in the dashboard (/dashboard) or in a config file'
  }
  const slash = model.indexOf('/')
  const prefix = slash > 0 ? model.slice(0, slash) : undefined
  const unknownPrefix = prefix !== undefined && !registry.byPrefix.has(prefix)
  if (unknownPrefix && registry.connections.some((entry) => !entry.connection.enabled && prefixesOf(entry).includes(prefix))) {
    return `the connection with the prefix "${prefix}" is disabled`
  }
  // A name sent without its prefix, or with another one: the listed ids of the same model (dated or not).
  const name = baseModelName(slash > 0 ? model.slice(slash + 1) : model)
  const likely = listModelIds(registry)
    .map((listed) => listed.id)
    .filter((id) => id !== model && baseModelName(id.slice(id.indexOf('/') + 1)) === name && mayUse(id))
  const listing = 'GET /v1/models lists the models you can use'
  if (likely.length > 0) return `did you mean ${likely.slice(0, MAX_SUGGESTIONS).map((id) => `"${id}"`).join(' or ')}? ${listing}`
  if (unknownPrefix) return `no enabled connection has the prefix "${prefix}"; ${listing}`
  // Coding tools send names of their own (Claude Code's background model): a mapping sends them somewhere.
  if (prefix === undefined) return `${listing}, and a model mapping (dashboard: Combos) can send names like it to one`
  return listing
}

/** A model name as two spellings of one model share it: lower case, without a release date or `-latest` at its end. */
function baseModelName(name: string): string {
  return name.toLowerCase().replace(/-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$/, '')
}

/** The 404 for a model nothing serves: it names the model, says what is wrong and suggests what the client (`mayUse`) likely meant. */
export function unknownModelError(registry: Registry, model: string, mayUse: (id: string) => boolean = () => true): ProxyError {
  return new ProxyError('not_found', `model "${model}" is not configured; ${unknownModelHint(registry, model, mayUse)}`, { param: 'model', code: 'model_not_found' })
}

/** The candidates for a model a client named; throws a 404 naming the model when nothing is configured for it. */
export function resolveRequestedModel(registry: Registry, model: string, mayUse?: (id: string) => boolean): Candidate[] {
  const candidates = resolveModel(registry, model)
  if (candidates.length === 0) throw unknownModelError(registry, model, mayUse)
  return candidates
}
