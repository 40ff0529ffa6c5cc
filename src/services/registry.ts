import type { Database } from 'bun:sqlite'
import type { Settings } from '../config/file'
import { getProvider } from '../providers'
import type { ProviderDefinition } from '../providers/types'
import { listApiKeyHashes, type ApiKeyRecord } from '../store/api-keys'
import { listAliases, listCombos, type Combo } from '../store/combos'
import { listConnections, type Connection } from '../store/connections'
import { getSetting } from '../store/settings'

/** Upstream timeouts in milliseconds; see README "Timeouts". */
export interface Timeouts {
  connectMs: number
  firstByteMs: number
  idleMs: number
  totalMs: number
}

/** Defaults that notice a silent upstream quickly but leave long generations alone. */
export const defaultTimeouts: Timeouts = { connectMs: 15_000, firstByteMs: 120_000, idleMs: 90_000, totalMs: 600_000 }

/** A connection joined with its provider definition. */
export interface ConnectionEntry {
  connection: Connection
  provider: ProviderDefinition
}

/** In-memory snapshot of routing configuration, rebuilt after every write so the hot path never reads SQLite. */
export interface Registry {
  connections: ConnectionEntry[]
  /** Enabled connections by model prefix (connection prefix, provider id and provider aliases). */
  byPrefix: Map<string, ConnectionEntry[]>
  combos: Map<string, Combo>
  aliases: Map<string, string>
  settings: Settings
  timeouts: Timeouts
  maxBodyBytes: number
  /** Enabled client keys by SHA-256 hash. */
  apiKeysByHash: Map<string, ApiKeyRecord>
}

/** Default request body limit: large enough for image-heavy coding sessions. */
export const defaultMaxBodyBytes = 32 * 1024 * 1024

/** The prefix a connection's models are listed and shown under: its own, else its provider's id (it answers to every one of {@link prefixesOf}). */
export function modelPrefixOf({ connection, provider }: ConnectionEntry): string {
  return connection.prefix ?? provider.id
}

/** The model prefixes a connection answers to: its own, and (for a built-in provider) the provider's id and aliases. */
export function prefixesOf({ connection, provider }: ConnectionEntry): string[] {
  const prefixes = provider.custom ? [connection.prefix] : [connection.prefix, provider.id, ...provider.aliases]
  return [...new Set(prefixes.filter((prefix): prefix is string => !!prefix))]
}

/** Reads the store into a fresh registry snapshot. */
export function loadRegistry(db: Database, encryptionKey: Buffer): Registry {
  const connections: ConnectionEntry[] = []
  const byPrefix = new Map<string, ConnectionEntry[]>()
  for (const connection of listConnections(db, encryptionKey)) {
    const provider = getProvider(connection.provider)
    if (!provider) continue
    const entry = { connection, provider }
    connections.push(entry)
    if (!connection.enabled) continue
    for (const prefix of prefixesOf(entry)) {
      const list = byPrefix.get(prefix) ?? []
      list.push(entry)
      byPrefix.set(prefix, list)
    }
  }
  const settings = getSetting<Settings>(db, 'settings') ?? {}
  return {
    connections,
    byPrefix,
    combos: new Map(listCombos(db).map((combo) => [combo.name, combo])),
    aliases: new Map(Object.entries(listAliases(db))),
    settings,
    timeouts: { ...defaultTimeouts, ...settings.timeouts },
    maxBodyBytes: settings.maxBodyBytes ?? defaultMaxBodyBytes,
    apiKeysByHash: new Map(listApiKeyHashes(db).filter((k) => k.enabled).map((k) => [k.hash, k])),
  }
}
