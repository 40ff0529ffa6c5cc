/**
 * What upstreams said, in their errors, about requests they will not take, per connection and model: an
 * output-token cap, parameters to leave out or rename. After one refused request the next ones go out right at
 * once. In memory and bounded: after a restart a model's quirks are learned again from its first refusal.
 * @module
 */
import type { ParameterRepair } from '../core/parameter-repair'

/** One model's learned quirks on one connection. */
export interface Quirks {
  outputCap?: number
  repairs: ParameterRepair[]
}

/** Learned quirks by connection and upstream model. */
export interface UpstreamQuirks {
  get(connectionId: number, model: string): Quirks | undefined
  /** Notes an output cap; returns true when it is new or lower than the one known. */
  learnOutputCap(connectionId: number, model: string, tokens: number): boolean
  /** Notes a repair; returns true when it was not known yet. */
  learnRepair(connectionId: number, model: string, repair: ParameterRepair): boolean
  /** Every model of a connection with learned quirks, for the dashboard. */
  forConnection(connectionId: number): { model: string; quirks: Quirks }[]
}

/** Whether two repairs are the same change. */
export function sameRepair(a: ParameterRepair, b: ParameterRepair): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** A repair in words: `"temperature"`, `"top_p" together with "temperature"`, `"max_tokens" (it wants "max_completion_tokens")`. */
export function describeRepair(repair: ParameterRepair): string {
  if ('rename' in repair) return `"${repair.rename}" (it wants "${repair.to}")`
  return repair.onlyWith ? `"${repair.drop}" together with "${repair.onlyWith}"` : `"${repair.drop}"`
}

/** A model's learned quirks in words, one sentence each. */
export function describeQuirks(model: string, quirks: Quirks): string[] {
  const lines = quirks.outputCap === undefined ? [] : [`${model} takes at most ${quirks.outputCap} output tokens: requests asking for more are lowered.`]
  for (const repair of quirks.repairs) lines.push(`${model} refuses ${describeRepair(repair)}: ${'rename' in repair ? 'it is renamed' : 'it is left out'}.`)
  return lines
}

/** A store of the quirks of at most `limit` models (the oldest go first). */
export function createUpstreamQuirks(limit = 1_000): UpstreamQuirks {
  const known = new Map<string, Quirks>()
  const keyOf = (connectionId: number, model: string) => `${connectionId}\u0000${model}`
  const entry = (connectionId: number, model: string): Quirks => {
    const key = keyOf(connectionId, model)
    let quirks = known.get(key)
    if (!quirks) {
      known.set(key, (quirks = { repairs: [] }))
      if (known.size > limit) known.delete(known.keys().next().value as string)
    }
    return quirks
  }
  return {
    get: (connectionId, model) => known.get(keyOf(connectionId, model)),
    learnOutputCap(connectionId, model, tokens) {
      const quirks = entry(connectionId, model)
      if (quirks.outputCap !== undefined && quirks.outputCap <= tokens) return false
      quirks.outputCap = tokens
      return true
    },
    forConnection(connectionId) {
      const prefix = `${connectionId}\u0000`
      return [...known].filter(([key]) => key.startsWith(prefix)).map(([key, quirks]) => ({ model: key.slice(prefix.length), quirks }))
    },
    learnRepair(connectionId, model, repair) {
      const quirks = entry(connectionId, model)
      if (quirks.repairs.some((known) => sameRepair(known, repair))) return false
      quirks.repairs.push(repair)
      return true
    },
  }
}
