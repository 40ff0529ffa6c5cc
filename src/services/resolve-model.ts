import type { ConnectionEntry, Registry } from './registry'

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

/**
 * Turns a requested model into the ordered candidates that may serve it.
 * Precedence: alias, then combo, then `<prefix>/<model>`.
 */
export function resolveModel(registry: Registry, model: string, depth = 0): Candidate[] {
  if (depth > MAX_ALIAS_DEPTH) return []
  const alias = registry.aliases.get(model)
  if (alias !== undefined && alias !== model) return resolveModel(registry, alias, depth + 1)
  const combo = registry.combos.get(model)
  if (combo) return combo.models.flatMap((member) => resolveModel(registry, member, depth + 1))
  return resolvePrefixed(registry, model)
}

/** Every model id a client can ask for, for `GET /v1/models`. */
export function listModelIds(registry: Registry): { id: string; ownedBy: string }[] {
  const ids = new Map<string, string>()
  for (const { connection, provider } of registry.connections) {
    if (!connection.enabled) continue
    const prefix = connection.prefix ?? provider.id
    const models = connection.models.length > 0 ? connection.models : (provider.models ?? []).map((m) => m.id)
    for (const model of models) ids.set(`${prefix}/${model}`, provider.id)
  }
  for (const name of registry.combos.keys()) ids.set(name, 'combo')
  for (const name of registry.aliases.keys()) ids.set(name, 'alias')
  return [...ids].map(([id, ownedBy]) => ({ id, ownedBy }))
}
