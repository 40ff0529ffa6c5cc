import { expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCallbackListener } from '../../src/oauth/callback-listener'
import { createOAuthService } from '../../src/oauth/service'
import { listConnections, upsertConnection } from '../../src/store/connections'
import { openDatabase } from '../../src/store/db'
import { migrate } from '../../src/store/migrate'
import { startFakeProvider } from './helpers/fake-provider'

async function until(condition: () => boolean, ms = 2_000) {
  const deadline = Date.now() + ms
  while (!condition() && Date.now() < deadline) await Bun.sleep(5)
  return condition()
}

test('the scheduler reloads when another process wrote the database, and refreshes due tokens on its own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelmux-sched-'))
  await using fake = startFakeProvider()
  fake.on('POST /v1/oauth/token', () => ({ access_token: 'renewed', refresh_token: 'rt-2', expires_in: 28_800 }))
  const path = join(dir, 'db.sqlite')
  const db = openDatabase(path)
  migrate(db)
  const key = randomBytes(32)
  let snapshot = listConnections(db, key)
  let reloads = 0
  const service = createOAuthService({
    db,
    encryptionKey: key,
    fetch,
    now: Date.now,
    env: {},
    overrides: () => ({ 'claude-code': { origin: fake.url } }),
    connections: () => snapshot,
    reload: () => {
      reloads++
      snapshot = listConnections(db, key)
    },
  })
  const stop = service.startScheduler({ intervalMs: 20, quotaIntervalMs: 0 })
  try {
    // Another process (`modelmux login`) saves an account whose token is about to expire.
    const other = openDatabase(path)
    const tokens = { type: 'oauth', provider: 'claude-code', accessToken: 'old', refreshToken: 'rt-1', expiresAt: Date.now() + 60_000, accountId: 'a' }
    upsertConnection(other, key, { name: 'cc-a', provider: 'claude-code', apiKey: JSON.stringify(tokens) }, Date.now())
    other.close()
    expect(await until(() => reloads > 0)).toBe(true)
    expect(await until(() => service.tokensOf(snapshot[0])?.accessToken === 'renewed')).toBe(true)
    expect(fake.callsTo('/v1/oauth/token')).toHaveLength(1)
  } finally {
    stop()
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('callback listener: wrong state and provider errors; a fixed port in use gives undefined', async () => {
  const listener = startCallbackListener({ path: '/cb', expectedState: 'good' })!
  const base = `http://127.0.0.1:${listener.port}/cb`
  expect(await (await fetch(`${base}?code=c&state=bad`)).text()).toContain('state mismatch')
  expect((await fetch(`http://127.0.0.1:${listener.port}/elsewhere`)).status).toBe(404)
  expect(await (await fetch(`${base}?code=c&state=good`)).text()).toContain('Logged in')
  expect(await listener.result).toEqual({ code: 'c', state: 'good' })

  const refused = startCallbackListener({ path: '/cb' })!
  const page = await fetch(`http://127.0.0.1:${refused.port}/cb?error=access_denied&error_description=User%20said%20no`)
  expect(await page.text()).toContain('User said no')
  await expect(refused.result).rejects.toThrow('User said no')

  const holder = startCallbackListener({ path: '/x' })!
  expect(startCallbackListener({ port: holder.port, path: '/y' })).toBeUndefined()
  holder.close()
})
