import type { Database } from 'bun:sqlite'
import init from './migrations/001-init.sql' with { type: 'text' }
import attempts from './migrations/002-attempts.sql' with { type: 'text' }
import usageAccounting from './migrations/003-usage-accounting.sql' with { type: 'text' }
import keylessUsageIndex from './migrations/004-keyless-usage-index.sql' with { type: 'text' }
import errorLogIndex from './migrations/005-error-log-index.sql' with { type: 'text' }
import dailyUsageRollups from './migrations/006-daily-usage-rollups.sql' with { type: 'text' }
import modelHours from './migrations/007-model-hours.sql' with { type: 'text' }
import comboStrategy from './migrations/008-combo-strategy.sql' with { type: 'text' }

/** The ordered schema migrations; index + 1 is the `user_version` each one brings. */
export const migrations: readonly string[] = [init, attempts, usageAccounting, keylessUsageIndex, errorLogIndex, dailyUsageRollups, modelHours, comboStrategy]

/** Applies pending migrations in one transaction keyed on `PRAGMA user_version`. */
export function migrate(db: Database, list: readonly string[] = migrations): number {
  const current = (db.query('PRAGMA user_version').get() as { user_version: number }).user_version
  if (current > list.length) {
    throw new Error(`database schema v${current} is newer than this modelmux (v${list.length}); upgrade modelmux`)
  }
  if (current === list.length) return current
  db.transaction(() => {
    for (let version = current; version < list.length; version++) db.exec(list[version])
    db.exec(`PRAGMA user_version = ${list.length}`)
  })()
  return list.length
}
