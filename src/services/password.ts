import type { Database } from 'bun:sqlite'
import { getSetting, setSetting } from '../store/settings'
import { generatePassword } from './crypto'

interface StoredPassword {
  hash: string
  /** Bumped on every change so sessions signed before it stop working. */
  version: number
}

/** The stored dashboard password record, if one was set. */
export function getStoredPassword(db: Database): StoredPassword | undefined {
  return getSetting<StoredPassword>(db, 'password')
}

/**
 * argon2id at OWASP's recommended minimum (19 MiB, 2 passes): ~20 ms and a small memory peak, which suits
 * a Raspberry Pi; logins are also throttled per address.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 */
const hashOptions = { algorithm: 'argon2id', memoryCost: 19_456, timeCost: 2 } as const

/** Sets the dashboard password (argon2id) and invalidates earlier sessions. */
export async function setPassword(db: Database, password: string): Promise<void> {
  const previous = getStoredPassword(db)
  setSetting(db, 'password', { hash: await Bun.password.hash(password, hashOptions), version: (previous?.version ?? 0) + 1 })
}

/** Checks a password against the stored hash. */
export async function verifyPassword(db: Database, password: string): Promise<boolean> {
  const stored = getStoredPassword(db)
  if (!stored || password.length === 0 || password.length > 1024) return false
  return Bun.password.verify(password, stored.hash)
}

/**
 * Makes sure a password exists: INITIAL_PASSWORD when given, else a random one.
 * Returns the generated password (to print once) or undefined when none was generated.
 */
export async function ensurePassword(db: Database, initial: string | undefined): Promise<string | undefined> {
  if (getStoredPassword(db)) return undefined
  const password = initial ?? generatePassword()
  await setPassword(db, password)
  return initial ? undefined : password
}
