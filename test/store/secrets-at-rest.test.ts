import { expect, test } from 'bun:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { decryptSecret, encryptSecret } from '../../src/services/crypto'
import { startTestServer } from '../helpers/test-server'

const UPSTREAM_SECRET = 'sk-ant-upstream-SECRET-7f3a9c0e1d2b'
const CLIENT_KEY = 'sk-mm-client-SECRET-4d5e6f7a8b9c0d1e'

test('no secret appears anywhere in the raw database files', async () => {
  await using modelmux = await startTestServer({
    connections: [{ name: 'claude', provider: 'anthropic-compatible', prefix: 'cp', baseUrl: 'http://127.0.0.1:9/v1', apiKey: UPSTREAM_SECRET }],
    apiKeys: [{ name: 'laptop', key: CLIENT_KEY }],
  })
  const dataDir = join(modelmux.dataDir, 'data')
  // The registry decrypted the secret, so it was stored recoverably.
  expect(modelmux.server.context.registry.connections[0].connection.apiKey).toBe(UPSTREAM_SECRET)
  modelmux.server.context.db.exec('PRAGMA wal_checkpoint(FULL)')
  const files = readdirSync(dataDir).filter((file) => file.startsWith('modelmux.db'))
  expect(files).toContain('modelmux.db')
  for (const file of files) {
    const raw = readFileSync(join(dataDir, file)).toString('latin1')
    expect(raw).not.toContain(UPSTREAM_SECRET)
    expect(raw).not.toContain(CLIENT_KEY)
    expect(raw).not.toContain('SECRET')
  }
})

test('data dir is 0700 and generated secrets are 0600', async () => {
  await using modelmux = await startTestServer()
  const dataDir = join(modelmux.dataDir, 'data')
  expect(statSync(dataDir).mode & 0o777).toBe(0o700)
  for (const file of ['encryption.key', 'jwt.secret', 'modelmux.db']) {
    expect(statSync(join(dataDir, file)).mode & 0o777).toBe(0o600)
  }
})

test('AES-256-GCM secrets fail loudly with the wrong key or altered data', () => {
  const key = Buffer.alloc(32, 1)
  const sealed = encryptSecret(key, 'hello')
  expect(decryptSecret(key, sealed)).toBe('hello')
  expect(encryptSecret(key, 'hello')).not.toBe(sealed)
  expect(() => decryptSecret(Buffer.alloc(32, 2), sealed)).toThrow()
  const parts = sealed.split(':')
  parts[3] = Buffer.from('jello').toString('base64url')
  expect(() => decryptSecret(key, parts.join(':'))).toThrow()
})
