import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, readRuntimeConfig } from '../../src/config/env'
import { startTestServer } from '../helpers/test-server'

// A throwaway self-signed certificate for 127.0.0.1 and localhost, made for this run (openssl is in .ci/run's packages).
let dir: string
let cert: string
let key: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelmux-tls-'))
  cert = join(dir, 'cert.pem')
  key = join(dir, 'key.pem')
  const made = Bun.spawnSync(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { stderr: 'pipe' })
  if (made.exitCode !== 0) throw new Error(`openssl could not make a test certificate: ${made.stderr.toString()}`)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('HTTPS', () => {
  test('with a certificate and key, modelmux serves HTTPS only, and the session cookie is Secure', async () => {
    await using modelmux = await startTestServer({}, { TLS_CERT_FILE: cert, TLS_KEY_FILE: key })
    expect(modelmux.url).toStartWith('https://127.0.0.1:')
    const ca = readFileSync(cert, 'utf8')
    const models = await fetch(`${modelmux.url}/v1/models`, { tls: { ca } })
    expect(models.status).toBe(200)
    const login = await fetch(`${modelmux.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":"test-password-1"}', tls: { ca } })
    expect(login.headers.get('set-cookie')).toContain('Secure')
    // Plain HTTP to the same port gets no answer.
    expect(await fetch(modelmux.url.replace('https:', 'http:') + '/healthz').then((response) => response.status, () => 'refused')).not.toBe(200)
  })

  test('a certificate without its key, or a file that cannot be read, stops start-up with one line', async () => {
    expect(() => readRuntimeConfig({ TLS_CERT_FILE: cert })).toThrow(new ConfigError('TLS_KEY_FILE: needed too, with TLS_CERT_FILE (HTTPS takes a certificate and its key)'))
    expect(readRuntimeConfig({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key, AUTH_COOKIE_SECURE: 'false' }).authCookieSecure).toBe(false)
    await expect(startTestServer({}, { TLS_CERT_FILE: join(dir, 'missing.pem'), TLS_KEY_FILE: key })).rejects.toThrow(`TLS_CERT_FILE: cannot read ${join(dir, 'missing.pem')}: ENOENT`)
  })

  test('modelmux health asks over HTTPS when the server has a certificate', async () => {
    await using modelmux = await startTestServer({}, { TLS_CERT_FILE: cert, TLS_KEY_FILE: key })
    const port = new URL(modelmux.url).port
    // Spawned, not spawnSync: this test process is the server and must keep answering meanwhile.
    const run = Bun.spawn(['bun', 'run', 'src/main.ts', 'health', '--port', port, '--tls-cert', cert, '--tls-key', key], { stdout: 'pipe' })
    const [code, stdout] = await Promise.all([run.exited, new Response(run.stdout).text()])
    expect([code, stdout.trim()]).toEqual([0, `ok: https://127.0.0.1:${port}/healthz`])
  })
})
