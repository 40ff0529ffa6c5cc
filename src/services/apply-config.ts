import type { Database } from 'bun:sqlite'
import type { ConfigFile } from '../config/file'
import { saveApiKey } from '../store/api-keys'
import { upsertAlias, upsertCombo } from '../store/combos'
import { upsertConnection } from '../store/connections'
import { upsertPriceOverride } from '../store/pricing'
import { getSetting, setSetting } from '../store/settings'

/** Applies a validated config file in one transaction; re-applying the same file changes nothing. */
export function applyConfig(db: Database, encryptionKey: Buffer, config: ConfigFile, now: number): void {
  db.transaction(() => {
    for (const connection of config.connections) upsertConnection(db, encryptionKey, connection, now)
    for (const combo of config.combos) upsertCombo(db, combo.name, combo.models, now, combo.strategy)
    for (const [alias, target] of Object.entries(config.aliases)) upsertAlias(db, alias, target, now)
    for (const key of config.apiKeys) saveApiKey(db, key.name, key.key, now)
    for (const price of config.prices) upsertPriceOverride(db, price, now)
    if (Object.keys(config.settings).length > 0) {
      setSetting(db, 'settings', { ...(getSetting<object>(db, 'settings') ?? {}), ...config.settings })
    }
  })()
}
