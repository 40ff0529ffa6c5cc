/**
 * Output-token caps the upstreams named in their errors, per connection and model, so that after one refused
 * request the next ones go out within the cap at once. In memory and bounded: after a restart a model's cap is
 * learned again from its first refusal.
 * @module
 */

/** Learned caps by connection and upstream model. */
export interface OutputCaps {
  get(connectionId: number, model: string): number | undefined
  /** Notes a cap; returns true when it is new or lower than the one known. */
  learn(connectionId: number, model: string, tokens: number): boolean
}

/** A store of at most `limit` caps (the oldest go first). */
export function createOutputCaps(limit = 1_000): OutputCaps {
  const caps = new Map<string, number>()
  const keyOf = (connectionId: number, model: string) => `${connectionId}\u0000${model}`
  return {
    get: (connectionId, model) => caps.get(keyOf(connectionId, model)),
    learn(connectionId, model, tokens) {
      const key = keyOf(connectionId, model)
      const known = caps.get(key)
      if (known !== undefined && known <= tokens) return false
      caps.delete(key)
      caps.set(key, tokens)
      if (caps.size > limit) caps.delete(caps.keys().next().value as string)
      return true
    },
  }
}
