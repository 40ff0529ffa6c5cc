import { randomBytes } from 'node:crypto'
import { createOAuthService, type OAuthService } from '../../../src/oauth/service'
import { subscriptionProviders } from '../../../src/providers/subscription'
import { listConnections, type Connection } from '../../../src/store/connections'
import { openDatabase } from '../../../src/store/db'
import { migrate } from '../../../src/store/migrate'
import type { Database } from 'bun:sqlite'
import { startFakeProvider, type FakeProvider } from './fake-provider'

/** An OAuth service on an in-memory store, a settable clock and a fake provider that every endpoint points at. */
export interface Harness extends AsyncDisposable {
  service: OAuthService
  fake: FakeProvider
  db: Database
  key: Buffer
  /** The registry snapshot as the app would hold it (rebuilt on reload). */
  snapshot(): Connection[]
  connection(id: number): Connection
  clock: { time: number }
  relogins: { id: number; reason: string }[]
  logins: number[]
}

export const START = Date.UTC(2026, 10, 24, 12, 0, 0)

export function createHarness(options: { overrides?: Record<string, Record<string, string>> } = {}): Harness {
  const fake = startFakeProvider()
  const db = openDatabase(':memory:')
  migrate(db)
  const key = randomBytes(32)
  const clock = { time: START }
  let snapshot = listConnections(db, key)
  const relogins: { id: number; reason: string }[] = []
  const logins: number[] = []
  let counter = 0
  const overrides = Object.fromEntries(subscriptionProviders.map((p) => [p.definition.id, { origin: fake.url, ...options.overrides?.[p.definition.id] }]))
  const service = createOAuthService({
    db,
    encryptionKey: key,
    fetch,
    now: () => clock.time,
    env: {},
    overrides: () => overrides,
    connections: () => snapshot,
    reload: () => {
      snapshot = listConnections(db, key)
    },
    onNeedsRelogin: (id, reason) => relogins.push({ id, reason }),
    onLoggedIn: (id) => logins.push(id),
    randomId: () => `id-${++counter}`,
  })
  return {
    service,
    fake,
    db,
    key,
    snapshot: () => snapshot,
    connection: (id) => snapshot.find((c) => c.id === id)!,
    clock,
    relogins,
    logins,
    async [Symbol.asyncDispose]() {
      await fake[Symbol.asyncDispose]()
      db.close()
    },
  }
}

/** Plays the browser: follows the authorize URL's redirect_uri with a code and the state. */
export function browserCallback(authUrl: string, code: string): { code: string; state: string; redirectUri: string } {
  const url = new URL(authUrl)
  return { code, state: url.searchParams.get('state')!, redirectUri: url.searchParams.get('redirect_uri') ?? url.searchParams.get('redirect')! }
}
