import { expect, test } from 'bun:test'
import { startTestServer } from '../helpers/test-server'
import { startUpstreamPair } from '../helpers/upstream-pair'

const KEY = 'sk-mm-cors-test-key-0123456789'
const answer = '{"id":"x","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}'

async function setup(settings: Record<string, unknown> = {}) {
  const pair = await startUpstreamPair((url) => ({
    connections: [{ name: 'o', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${url}/v1`, apiKey: 'k', models: ['m'] }],
    apiKeys: [{ name: 'web', key: KEY }],
    settings,
  }))
  pair.upstream.reply({ headers: { 'content-type': 'application/json' }, parts: [answer] })
  const { modelmux } = pair
  return {
    ...pair,
    preflight: (path: string, origin: string, extra: Record<string, string> = {}) =>
      fetch(`${modelmux.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, anthropic-version', ...extra },
      }),
    chat: (headers: Record<string, string>) =>
      fetch(`${modelmux.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"model":"oa/m","messages":[]}' }),
  }
}

test('a local web app (another port of localhost) may call the client API from the browser', async () => {
  await using env = await setup()
  for (const path of ['/v1/chat/completions', '/v1/messages', '/v1/models', '/v1beta/models/oa/m:generateContent', '/api/chat', '/api/tags']) {
    const response = await env.preflight(path, 'http://localhost:3000', { 'access-control-request-private-network': 'true' })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
    expect(response.headers.get('access-control-allow-methods')).toContain('POST')
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization, content-type, anthropic-version')
    expect(response.headers.get('access-control-allow-private-network')).toBe('true')
  }
  const served = await env.chat({ origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' })
  expect(served.status).toBe(200)
  expect(served.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
  expect(served.headers.get('access-control-expose-headers')).toContain('x-modelmux-model')
  expect(served.headers.get('vary')).toContain('Origin')
  const models = await fetch(`${env.modelmux.url}/v1/models`, { headers: { origin: 'http://127.0.0.1:8080' } })
  expect(models.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8080')
})

test('other sites get no CORS headers; a listed one may call with a key, and reads why it may not without one', async () => {
  await using env = await setup({ corsOrigins: ['https://chat.example.com'] })
  const unlisted = await env.preflight('/v1/chat/completions', 'https://evil.example')
  expect(unlisted.status).toBe(403)
  expect(unlisted.headers.get('access-control-allow-origin')).toBeNull()
  const listed = await env.preflight('/v1/chat/completions', 'https://chat.example.com')
  expect(listed.status).toBe(204)
  const fromSite = { origin: 'https://chat.example.com', 'sec-fetch-site': 'cross-site' }
  const keyless = await env.chat(fromSite)
  expect(keyless.status).toBe(403)
  expect(keyless.headers.get('access-control-allow-origin')).toBe('https://chat.example.com')
  expect((await keyless.json()).error.message).toContain('without an API key')
  const withKey = await env.chat({ ...fromSite, authorization: `Bearer ${KEY}` })
  expect(withKey.status).toBe(200)
  expect(withKey.headers.get('access-control-allow-origin')).toBe('https://chat.example.com')
  // Tools send no Origin and get no CORS headers.
  const tool = await env.chat({})
  expect(tool.status).toBe(200)
  expect(tool.headers.get('access-control-allow-origin')).toBeNull()
  expect(env.upstream.received).toHaveLength(2)
})

test('a listed origin must be an origin: scheme, host and port', async () => {
  await expect(startTestServer({ settings: { corsOrigins: ['https://chat.example.com/app'] } })).rejects.toThrow(/settings\.corsOrigins\[0\]: an origin such as/)
})
