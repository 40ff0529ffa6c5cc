/**
 * The running configuration as a config file (the format `--config` applies): connections, combos, aliases and
 * settings, without a single secret — no upstream keys or tokens, no client keys (only their hashes are stored),
 * no webhook address. Applying it to the same modelmux changes nothing (a connection without `apiKey` keeps its
 * key); applying it on a new machine recreates everything but the secrets, which `omitted` lists.
 * @module
 */
import type { Database } from 'bun:sqlite'
import { configFileSchema, type ConfigFile, type Settings } from '../config/file'
import { listAliases, listCombos } from '../store/combos'
import { listApiKeys } from '../store/api-keys'
import { listConnections } from '../store/connections'
import { listPriceOverrides } from '../store/pricing'
import { getSetting } from '../store/settings'

/** The option fields a config file may set on a connection. */
const exportedOptions = ['proxy', 'deployment', 'apiVersion', 'project', 'location'] as const

/** Whether a URL carries a user name, password or query parameters (where keys hide); `direct` and other non-URLs carry none. */
function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.username !== '' || parsed.password !== '' || parsed.search !== ''
  } catch {
    return false
  }
}

/** A config file of everything but secrets, and what was left out, in words. */
export function exportConfig(db: Database, encryptionKey: Buffer): { config: ConfigFile; omitted: string[] } {
  const omitted: string[] = []
  const connections = listConnections(db, encryptionKey).flatMap((connection) => {
    if (connection.baseUrl && hasCredentials(connection.baseUrl)) {
      // A base URL with a password or key in it: the connection stays out whole, so applying the file keeps it as stored.
      omitted.push(`connection "${connection.name}" (its base URL holds credentials)`)
      return []
    }
    const options: Record<string, unknown> = {}
    for (const key of exportedOptions) if (connection.options[key] !== undefined) options[key] = connection.options[key]
    let keepOptions = Object.keys(options).length > 0
    if (typeof options.proxy === 'string' && hasCredentials(options.proxy)) {
      // A proxy with credentials in it: the options stay out, so applying the file keeps the stored ones.
      keepOptions = false
      omitted.push(`the options of connection "${connection.name}" (its proxy address holds credentials)`)
    }
    if (connection.apiKey !== null) omitted.push(`the key of connection "${connection.name}"`)
    return [{
      name: connection.name,
      provider: connection.provider,
      ...(connection.prefix ? { prefix: connection.prefix } : {}),
      ...(connection.baseUrl ? { baseUrl: connection.baseUrl } : {}),
      ...(connection.models.length > 0 ? { models: connection.models } : {}),
      priority: connection.priority,
      enabled: connection.enabled,
      ...(keepOptions ? { options } : {}),
    }]
  })
  const combos = listCombos(db).map((combo) => ({ name: combo.name, models: combo.models, ...(combo.strategy !== 'order' ? { strategy: combo.strategy } : {}) }))
  const { notifications, ...settings }: Settings = getSetting<Settings>(db, 'settings') ?? {}
  if (notifications) omitted.push('the notification webhook address')
  const keys = listApiKeys(db)
  if (keys.length > 0) omitted.push(`${keys.length} client key${keys.length === 1 ? '' : 's'} (${keys.map((key) => key.name).join(', ')}): only their hashes are stored; create new ones where the file is applied`)
  // Parsed by the same schema `--config` uses: an export is always a file modelmux accepts.
  const prices = listPriceOverrides(db).map(({ updatedAt, ...price }) => price)
  const config = configFileSchema.parse({ connections, combos, aliases: listAliases(db), prices, settings })
  return { config, omitted }
}

/** The export as a download: the file, and in `x-modelmux-omitted` (URL-encoded) which secrets stayed out. */
export function configDownload(db: Database, encryptionKey: Buffer): Response {
  const { config, omitted } = exportConfig(db, encryptionKey)
  return new Response(`${JSON.stringify(config, null, 2)}\n`, {
    headers: {
      'content-type': 'application/json',
      'content-disposition': 'attachment; filename="modelmux-config.json"',
      'cache-control': 'no-store',
      'x-modelmux-omitted': encodeURIComponent(omitted.join('; ')),
    },
  })
}
