import { describe, expect, test } from 'bun:test'
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto'
import { ProxyError } from '../../src/core/errors'
import { getProvider } from '../../src/providers'
import { resolveCredential, type CredentialCache } from '../../src/providers/credentials'
import { prepareUpstream } from '../../src/providers/prepare-upstream'
import { startFakeUpstream, type FakeUpstream, type ReceivedRequest } from '../helpers/fake-upstream'

const vertex = getProvider('vertex')!
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })

function serviceAccount(tokenUri: string, key: KeyObject = privateKey) {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'proj-7',
    private_key_id: 'kid-1',
    private_key: key.export({ type: 'pkcs8', format: 'pem' }),
    client_email: 'mux@proj-7.iam.gserviceaccount.com',
    token_uri: tokenUri,
  })
}

/** Checks the JWT bearer grant the way Google does: RS256 signature with the public key, then the claims. */
function verifyGrant(request: ReceivedRequest, tokenUri: string, nowMs: number) {
  const form = new URLSearchParams(request.body)
  const [header, claims, signature] = form.get('assertion')!.split('.')
  const valid = verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'))
  return {
    contentType: request.headers['content-type'],
    grantType: form.get('grant_type'),
    valid,
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString()),
    expected: { iss: 'mux@proj-7.iam.gserviceaccount.com', scope: 'https://www.googleapis.com/auth/cloud-platform', aud: tokenUri, iat: Math.floor(nowMs / 1000), exp: Math.floor(nowMs / 1000) + 3600 },
  }
}

function tokenServer(fake: FakeUpstream, lifetimeSeconds = 3600) {
  let issued = 0
  fake.reply((request) => {
    if (request.path !== '/token') return { parts: ['{}'] }
    issued += 1
    return { parts: [JSON.stringify({ access_token: `ya29.token-${issued}`, expires_in: lifetimeSeconds, token_type: 'Bearer' })] }
  })
  return () => issued
}

describe('Vertex service-account credentials', () => {
  test('the JWT is RS256-signed with the key and carries the right claims', async () => {
    await using fake = startFakeUpstream()
    tokenServer(fake)
    const tokenUri = `${fake.url}/token`
    const now = 1_750_000_000_000
    const token = await resolveCredential(vertex, { name: 'vx', baseUrl: null, apiKey: serviceAccount(tokenUri) }, { fetch, now: () => now, cache: new Map() })
    expect(token).toBe('ya29.token-1')
    const grant = verifyGrant(fake.received[0], tokenUri, now)
    expect(grant.valid).toBe(true)
    expect(grant.grantType).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer')
    expect(grant.contentType).toBe('application/x-www-form-urlencoded')
    expect(grant.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-1' })
    expect(grant.claims).toEqual(grant.expected)
  })

  test('a signature from another key does not verify (the check above is real)', async () => {
    await using fake = startFakeUpstream()
    tokenServer(fake)
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    await resolveCredential(vertex, { name: 'vx', baseUrl: null, apiKey: serviceAccount(`${fake.url}/token`, other) }, { fetch, now: Date.now, cache: new Map() })
    expect(verifyGrant(fake.received[0], `${fake.url}/token`, Date.now()).valid).toBe(false)
  })

  test('the token is cached until five minutes before expiry, then renewed', async () => {
    await using fake = startFakeUpstream()
    const issued = tokenServer(fake, 3600)
    let now = 1_000_000
    const cache: CredentialCache = new Map()
    const connection = { id: 1, name: 'vx', baseUrl: null, apiKey: serviceAccount(`${fake.url}/token`) }
    const options = { fetch, now: () => now, cache }
    expect(await resolveCredential(vertex, connection, options)).toBe('ya29.token-1')
    now += 54 * 60_000
    expect(await resolveCredential(vertex, connection, options)).toBe('ya29.token-1')
    now += 2 * 60_000 // 56 min: inside the 5-minute margin
    expect(await resolveCredential(vertex, connection, options)).toBe('ya29.token-2')
    expect(issued()).toBe(2)
    // Another connection with the same key has its own entry.
    expect(await resolveCredential(vertex, { ...connection, id: 2 }, options)).toBe('ya29.token-3')
  })

  test('concurrent calls share one token exchange', async () => {
    await using fake = startFakeUpstream()
    const issued = tokenServer(fake)
    const connection = { id: 1, name: 'vx', baseUrl: null, apiKey: serviceAccount(`${fake.url}/token`) }
    const options = { fetch, now: Date.now, cache: new Map() }
    const tokens = await Promise.all([1, 2, 3, 4].map(() => resolveCredential(vertex, connection, options)))
    expect(tokens).toEqual(['ya29.token-1', 'ya29.token-1', 'ya29.token-1', 'ya29.token-1'])
    expect(issued()).toBe(1)
  })

  test('a key that is not service-account JSON, or one Google refuses, gives a readable 401', async () => {
    await using fake = startFakeUpstream()
    fake.reply({ status: 400, parts: [JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' })] })
    const options = { fetch, now: Date.now, cache: new Map() }
    const notJson = resolveCredential(vertex, { name: 'vx', baseUrl: null, apiKey: 'AIza-plain-key' }, options)
    expect(notJson).rejects.toThrow('vx: Vertex AI (Gemini) needs a service-account JSON key (with client_email and private_key) as the secret')
    const refused = await resolveCredential(vertex, { name: 'vx', baseUrl: null, apiKey: serviceAccount(`${fake.url}/token`) }, options).catch((error) => error)
    expect(refused).toBeInstanceOf(ProxyError)
    expect({ status: refused.status, message: refused.message }).toEqual({ status: 401, message: 'vx: Google refused the service-account key (invalid_grant: Invalid JWT Signature.)' })
    // A failed exchange is not cached.
    fake.reply({ parts: [JSON.stringify({ access_token: 'ya29.ok', expires_in: 3600 })] })
    expect(await resolveCredential(vertex, { name: 'vx', baseUrl: null, apiKey: serviceAccount(`${fake.url}/token`) }, options)).toBe('ya29.ok')
  })

  test('a Gemini call on Vertex: project from the key, location option, Bearer token', async () => {
    await using fake = startFakeUpstream()
    tokenServer(fake)
    const connection = { name: 'vx', baseUrl: `${fake.url}/v1`, apiKey: serviceAccount(`${fake.url}/token`), options: { location: 'europe-west4' } }
    const credential = await resolveCredential(vertex, connection, { fetch, now: Date.now, cache: new Map() })
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }
    const prepared = prepareUpstream(vertex, connection, { model: 'gemini-2.5-pro', stream: true, body, credential, env: {} })
    await fetch(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) })
    const call = fake.received.at(-1)!
    expect(call.path).toBe('/v1/projects/proj-7/locations/europe-west4/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse')
    expect(call.headers.authorization).toBe('Bearer ya29.token-1')
    expect(JSON.parse(call.body)).toEqual(body)
  })
})
