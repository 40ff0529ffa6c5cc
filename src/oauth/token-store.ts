/**
 * OAuth tokens stored on connections: the bundle is the connection's secret (JSON), which the
 * connection store encrypts at rest (AES-256-GCM). A small in-memory cache keeps the newest bundle per
 * connection so requests holding an older registry snapshot still send the refreshed token.
 * @module
 */
import type { Database } from 'bun:sqlite'
import { listConnections, upsertConnection, type Connection } from '../store/connections'
import { accountKeyOf, parseTokens } from './bundle'
import type { OAuthTokens } from './types'

export { accountKeyOf, parseTokens }

interface CacheEntry {
  secret: string
  tokens: OAuthTokens
  /** Secrets this entry replaced: a snapshot still holding one of them is older than the cache. */
  replaced: Set<string>
}

/** Reads and writes OAuth bundles on connections. */
export function createTokenStore(deps: { db: Database; encryptionKey: Buffer; now(): number; onWrite(): void }) {
  const cache = new Map<number, CacheEntry>()

  return {
    /** The newest tokens for a connection (its snapshot, unless the cache knows a newer bundle). */
    current(connection: Pick<Connection, 'id' | 'apiKey'>): OAuthTokens | undefined {
      const cached = cache.get(connection.id)
      const secret = connection.apiKey ?? ''
      if (cached && (cached.secret === secret || cached.replaced.has(secret))) return cached.tokens
      const tokens = parseTokens(secret)
      if (tokens) cache.set(connection.id, { secret, tokens, replaced: new Set() })
      return tokens
    },
    /** Stores new tokens for an existing connection (after a refresh or a re-login mark). */
    update(connection: Pick<Connection, 'id' | 'name' | 'provider' | 'apiKey'>, tokens: OAuthTokens): void {
      const secret = JSON.stringify(tokens)
      const previous = cache.get(connection.id)
      const replaced = new Set(previous?.replaced)
      if (previous) replaced.add(previous.secret)
      if (connection.apiKey) replaced.add(connection.apiKey)
      upsertConnection(deps.db, deps.encryptionKey, { name: connection.name, provider: connection.provider, apiKey: secret }, deps.now())
      cache.set(connection.id, { secret, tokens, replaced })
      deps.onWrite()
    },
    /**
     * Saves a login: the connection of the same provider and account is updated (a re-login), else a
     * new one is created, named `<alias>-<email or account id>` unless a name is given.
     */
    saveLogin(input: { provider: string; alias: string; tokens: OAuthTokens; name?: string; baseUrl?: string | null }): Connection {
      const key = accountKeyOf(input.tokens)
      const existing = listConnections(deps.db, deps.encryptionKey).find((connection) => {
        if (connection.provider !== input.provider) return false
        if (input.name) return connection.name === input.name
        const stored = parseTokens(connection.apiKey)
        return stored !== undefined && key !== undefined && accountKeyOf(stored) === key
      })
      const taken = new Set(listConnections(deps.db, deps.encryptionKey).map((connection) => connection.name))
      let name = existing?.name ?? input.name ?? `${input.alias}-${(key ?? 'account').toLowerCase().replace(/[^a-z0-9@._-]+/g, '-')}`
      if (!existing) for (let n = 2; taken.has(name); n++) name = `${input.name ?? `${input.alias}-${key ?? 'account'}`}-${n}`
      const secret = JSON.stringify({ ...input.tokens, relogin: undefined })
      const id = upsertConnection(
        deps.db,
        deps.encryptionKey,
        { name, provider: input.provider, apiKey: secret, ...(input.baseUrl !== undefined ? { baseUrl: input.baseUrl } : {}), ...(existing ? {} : { enabled: true }) },
        deps.now(),
      )
      cache.delete(id)
      deps.onWrite()
      const saved = listConnections(deps.db, deps.encryptionKey).find((connection) => connection.id === id)!
      cache.set(id, { secret, tokens: parseTokens(secret)!, replaced: new Set(existing?.apiKey ? [existing.apiKey] : []) })
      return saved
    },
    /** Finds a stored connection by id (refresh and quota paths only; the request path uses the snapshot). */
    find(id: number): Connection | undefined {
      return listConnections(deps.db, deps.encryptionKey).find((connection) => connection.id === id)
    },
    /** Forgets cached bundles (tests, or after connections were edited by hand). */
    clear(): void {
      cache.clear()
    },
  }
}

/** The token store's interface. */
export type TokenStore = ReturnType<typeof createTokenStore>
