import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'

/** Creates the data directory with mode 0700 (and fixes a looser mode on an existing one). */
export function ensureDataDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(dir, 0o700)
}

/** Reads a secret file from the data dir, creating it (0600, 32 random bytes) on first start. */
export function loadOrCreateSecret(dir: string, file: string): Buffer {
  const path = join(dir, file)
  if (existsSync(path)) {
    const value = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')
    if (value.length !== 32) throw new Error(`${path}: expected 32 bytes of base64, found ${value.length}`)
    return value
  }
  const value = randomBytes(32)
  writeFileSync(path, value.toString('base64') + '\n', { mode: 0o600, flag: 'wx' })
  return value
}
