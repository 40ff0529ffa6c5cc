import { conversationMaterial } from '../formats/conversation-key'
import type { FormatId } from '../formats/types'
import type { Candidate } from './resolve-model'

/** How one provider's accounts share the load. */
export interface PoolSettings {
  /** `priority`: fill the first account until it fails; `round-robin`: rotate. */
  strategy?: 'priority' | 'round-robin'
  /** Keep a conversation on the account that served it (prompt caches stay warm); on by default for round-robin. */
  affinity?: boolean
}

const AFFINITY_LIMIT = 10_000

/** Orders a request's candidates: each provider pool by its strategy, the conversation's own account first. */
export function createRouter() {
  const counters = new Map<string, number>()
  // Insertion-ordered map used as an LRU: conversation key → the account and model that served it.
  const affinity = new Map<string, { connectionId: number; model: string }>()

  return {
    /** The conversation key of a request body, hashed; undefined when the body has nothing to key on. */
    keyOf(format: FormatId, body: Record<string, unknown>, apiKeyId: number | null): string | undefined {
      const material = conversationMaterial(format, body)
      return material === undefined ? undefined : `${apiKeyId ?? '-'}:${Bun.hash(material).toString(36)}`
    },
    /** Candidates in the order to try them. */
    order(candidates: Candidate[], key: string | undefined | (() => string | undefined), pools: Record<string, PoolSettings> = {}): Candidate[] {
      // The key is computed only when a sticky pool of several accounts needs it (it hashes the conversation).
      const keyOf = typeof key === 'function' ? key : () => key
      const out: Candidate[] = []
      for (let start = 0; start < candidates.length; ) {
        // A pool is a run of candidates for the same public model (one prefix, several accounts).
        let end = start + 1
        while (end < candidates.length && candidates[end].publicModel === candidates[start].publicModel) end++
        let pool = candidates.slice(start, end)
        const provider = pool[0].entry.provider.id
        const settings = pools[provider] ?? {}
        if (pool.length > 1 && settings.strategy === 'round-robin') {
          const turn = counters.get(pool[0].publicModel) ?? 0
          counters.set(pool[0].publicModel, turn + 1)
          const shift = turn % pool.length
          pool = [...pool.slice(shift), ...pool.slice(0, shift)]
        }
        // Fill-first pools always prefer their first account (it is usually the subscription), unless asked otherwise.
        const sticky = settings.affinity ?? settings.strategy === 'round-robin'
        const conversation = pool.length > 1 && sticky ? keyOf() : undefined
        if (conversation !== undefined) {
          const pinned = affinity.get(conversation)?.connectionId
          const index = pool.findIndex((candidate) => candidate.entry.connection.id === pinned)
          if (index > 0) pool = [pool[index], ...pool.slice(0, index), ...pool.slice(index + 1)]
        }
        out.push(...pool)
        start = end
      }
      return out
    },
    /**
     * A round-robin combo's candidates, by member (`groups`, in combo order), starting at the member that served the
     * conversation before, else at the next member in turn; the others follow as fallbacks, in combo order from there.
     */
    rotateCombo(name: string, groups: Candidate[][], key: () => string | undefined): Candidate[] {
      const conversation = key()
      const pinned = conversation === undefined ? undefined : affinity.get(conversation)?.model
      let start = pinned === undefined ? -1 : groups.findIndex((group) => group[0].publicModel === pinned)
      if (start === -1) {
        const turn = counters.get(`combo\u0000${name}`) ?? 0
        counters.set(`combo\u0000${name}`, turn + 1)
        start = turn % groups.length
      }
      return [...groups.slice(start), ...groups.slice(0, start)].flat()
    },
    /** Remembers which account, and which model, served a conversation. */
    remember(key: string | undefined, connectionId: number, model: string): void {
      if (key === undefined) return
      affinity.delete(key)
      affinity.set(key, { connectionId, model })
      if (affinity.size > AFFINITY_LIMIT) affinity.delete(affinity.keys().next().value!)
    },
  }
}

/** The router's interface. */
export type Router = ReturnType<typeof createRouter>
