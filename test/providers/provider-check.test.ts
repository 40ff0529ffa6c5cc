import { describe, expect, test } from 'bun:test'
import { getProvider } from '../../src/providers'
import type { UpstreamConnection } from '../../src/providers/types'
import { describeFetchError, listConnectionModels, mergeModelLists, parseModelList, testConnection, type ModelListCache } from '../../src/services/provider-check'
import { startFakeUpstream } from '../helpers/fake-upstream'

const deps = { fetch, now: Date.now, env: {} }
const openaiCompatible = getProvider('openai-compatible')!
const node = (baseUrl: string, fields: Partial<UpstreamConnection> = {}): UpstreamConnection => ({ name: 'node', baseUrl, apiKey: 'sk-x', models: ['qwen3-coder'], ...fields })

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = server.port!
  await server.stop(true)
  return port
}

describe('test connection: friendly reasons', () => {
  test('connection refused', async () => {
    const port = await closedPort()
    const check = await testConnection(openaiCompatible, node(`http://127.0.0.1:${port}/v1`), deps)
    expect(check).toMatchObject({ ok: false, method: 'models', reason: `connection refused by 127.0.0.1:${port}: is the server running and the port right?` })
  })

  test('timeout', async () => {
    const slow = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Promise<Response>(() => {}) })
    try {
      const check = await testConnection(openaiCompatible, node(`http://127.0.0.1:${slow.port}/v1`), { ...deps, timeoutMs: 150 })
      expect(check).toMatchObject({ ok: false, reason: `timed out after 150 ms waiting for 127.0.0.1:${slow.port}` })
    } finally {
      await slow.stop(true)
    }
  })

  test('TLS: https:// against a plain-HTTP server', async () => {
    await using fake = startFakeUpstream()
    const check = await testConnection(openaiCompatible, node(fake.url.replace('http:', 'https:') + '/v1'), deps)
    expect(check.ok).toBe(false)
    expect(check.reason).toStartWith(`TLS failed talking to ${new URL(fake.url).host}`)
    expect(check.reason).not.toContain('    at ')
  })

  test('DNS, reset and unknown errors are described without a stack trace', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND api.nope.test'), { code: 'ENOTFOUND' })
    expect(describeFetchError(dns, 'api.nope.test', 15_000)).toBe('host name not found (DNS) for api.nope.test: check the base URL')
    expect(describeFetchError(Object.assign(new Error('DNS lookup failed'), { code: 'DNSException' }), 'h', 1)).toStartWith('host name not found (DNS)')
    expect(describeFetchError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'h', 1)).toBe('h closed the connection')
    expect(describeFetchError(Object.assign(new Error('x'), { code: 'UnsupportedProxyProtocol' }), 'h', 1, 'socks5://u:p@p:1')).toBe('the proxy socks5://***@p:1 uses an unsupported scheme: use http:// or https://')
    const weird = new Error('boom\n    at somewhere (file.ts:1:1)')
    expect(describeFetchError(weird, 'h', 1)).toBe('cannot reach h: boom')
  })

  test('401 from the model list: bad key, with the upstream message', async () => {
    await using fake = startFakeUpstream()
    fake.reply({ status: 401, parts: [JSON.stringify({ error: { message: 'Incorrect API key provided: sk-x***' } })] })
    const check = await testConnection(getProvider('openai')!, node(`${fake.url}/v1`), deps)
    expect(check).toMatchObject({ ok: false, method: 'models', status: 401, reason: 'the key was refused (HTTP 401): Incorrect API key provided: sk-x***' })
  })

  test('a server without /models is checked with a one-token request instead', async () => {
    await using fake = startFakeUpstream()
    fake.reply((request) => (request.method === 'GET' ? { status: 404, parts: ['Not Found'] } : { parts: [JSON.stringify({ choices: [] })] }))
    const check = await testConnection(openaiCompatible, node(`${fake.url}/v1`), deps)
    expect(check).toMatchObject({ ok: true, method: 'probe', status: 200, reason: 'connected: qwen3-coder answered' })
    expect(fake.received.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models', 'POST /v1/chat/completions'])
    expect(JSON.parse(fake.received[1].body)).toEqual({ model: 'qwen3-coder', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, stream: false })
  })

  test('404 everywhere: wrong base URL', async () => {
    await using fake = startFakeUpstream()
    fake.reply({ status: 404, parts: ['{"error":"not found"}'] })
    const check = await testConnection(openaiCompatible, node(`${fake.url}`), deps)
    expect(check).toMatchObject({ ok: false, method: 'probe', status: 404 })
    expect(check.reason).toStartWith('not found (HTTP 404): check the base URL (it should include the API version, e.g. …/v1) and the model name')
  })

  test('probe answers: 429 and 400 mean the key works; 403 does not', async () => {
    await using fake = startFakeUpstream()
    const anthropicCompatible = getProvider('anthropic-compatible')!
    const connection = node(`${fake.url}/v1`, { models: ['claude-x'] })
    for (const [status, ok] of [[429, true], [400, true], [403, false], [500, false]] as const) {
      fake.reply((request) => (request.method === 'GET' ? { status: 405, parts: [''] } : { status, parts: [JSON.stringify({ type: 'error', error: { type: 't', message: `m${status}` } })] }))
      const check = await testConnection(anthropicCompatible, connection, deps)
      expect({ status, ok: check.ok, method: check.method, mentions: check.reason.includes(`m${status}`) }).toEqual({ status, ok, method: 'probe', mentions: true })
    }
  })

  test('configuration problems are reported before any request', async () => {
    expect((await testConnection(openaiCompatible, node('ftp://host/v1'), deps)).reason).toBe('the base URL must start with http:// or https:// (got ftp://host/v1)')
    expect((await testConnection(openaiCompatible, node('not a url'), deps)).reason).toBe('the base URL is not a valid URL: not a url')
    expect((await testConnection(openaiCompatible, { name: 'n', baseUrl: null, apiKey: 'k' }, deps)).reason).toBe('connection "n" has no base URL (OpenAI-compatible needs one)')
    expect((await testConnection(getProvider('groq')!, { name: 'n', baseUrl: null, apiKey: null }, deps)).reason).toBe('Groq needs an API key')
    // A custom node without /models and without any model to probe with.
    await using fake = startFakeUpstream()
    fake.reply({ status: 404, parts: [''] })
    expect((await testConnection(openaiCompatible, node(`${fake.url}/v1`, { models: [] }), deps)).reason).toBe("no model to test with: add one to the connection's models")
  })
})

describe('live model lists', () => {
  test('parses every listing shape, with context windows and OpenRouter per-token prices', () => {
    expect(parseModelList({ data: [{ id: 'a', context_length: 8192, pricing: { prompt: '0.000003', completion: '0.000015' } }, { id: 'b' }] })).toEqual([
      { id: 'a', contextWindow: 8192, pricing: { input: 3, output: 15 } },
      { id: 'b' },
    ])
    expect(parseModelList({ models: [{ name: 'models/gemini-2.5-pro', inputTokenLimit: 1_048_576 }] })).toEqual([{ id: 'gemini-2.5-pro', contextWindow: 1_048_576 }])
    expect(parseModelList({ models: [{ name: 'llama3:8b', model: 'llama3:8b' }] })).toEqual([{ id: 'llama3:8b' }])
    expect(parseModelList(['x', { nope: 1 }])).toEqual([{ id: 'x' }])
    expect(parseModelList('garbage')).toEqual([])
    // A negative or absurd per-token price is no price: the model is listed without one.
    expect(parseModelList({ data: [{ id: 'auto', pricing: { prompt: '-1', completion: '-1' } }, { id: 'odd', pricing: { prompt: '5', completion: '0.000001' } }] })).toEqual([{ id: 'auto' }, { id: 'odd' }])
  })

  test('built-in first (live facts fill gaps), then live-only models', () => {
    expect(mergeModelLists([{ id: 'a', pricing: { input: 1, output: 2 } }, { id: 'b' }], [{ id: 'c' }, { id: 'a', contextWindow: 10, pricing: { input: 9, output: 9 } }])).toEqual([
      { id: 'a', contextWindow: 10, pricing: { input: 1, output: 2 }, source: 'both' },
      { id: 'b', source: 'builtin' },
      { id: 'c', source: 'live' },
    ])
  })

  test('fetched once, cached, refreshed on demand or after the TTL; a failure keeps the last good list', async () => {
    await using fake = startFakeUpstream()
    let ids = ['gpt-5.1', 'new-model']
    fake.reply(() => ({ parts: [JSON.stringify({ data: ids.map((id) => ({ id })) })] }))
    let now = 0
    const cache: ModelListCache = new Map()
    const openai = getProvider('openai')!
    const connection = { id: 9, name: 'o', baseUrl: `${fake.url}/v1`, apiKey: 'sk' }
    const list = (extra: { refresh?: boolean } = {}) => listConnectionModels(openai, connection, { ...deps, now: () => now, cache, ttlMs: 1000, ...extra })

    const first = await list()
    expect(first.models.filter((m) => m.source !== 'builtin').map((m) => `${m.id}:${m.source}`)).toEqual(['gpt-5.1:both', 'new-model:live'])
    expect(first.models.length).toBe(openai.models!.length + 1)
    ids = ['gpt-5.1', 'newer-model']
    expect((await list()).models.some((m) => m.id === 'newer-model')).toBe(false)
    expect(fake.received).toHaveLength(1)
    expect((await list({ refresh: true })).models.some((m) => m.id === 'newer-model')).toBe(true)
    now = 2000
    ids = ['third']
    expect((await list()).models.at(-1)!.id).toBe('third')
    expect(fake.received).toHaveLength(3)

    fake.reply({ status: 500, parts: ['{"error":{"message":"down"}}'] })
    const stale = await list({ refresh: true })
    expect({ live: stale.live, fetchedAt: stale.fetchedAt, last: stale.models.at(-1)!.id, error: stale.error }).toEqual({
      live: true,
      fetchedAt: 2000,
      last: 'third',
      error: 'the provider answered with a server error (HTTP 500): down',
    })
  })

  test('providers without a listing API return the built-in list without a request', async () => {
    const list = await listConnectionModels(getProvider('perplexity')!, { name: 'p', baseUrl: 'http://127.0.0.1:1', apiKey: 'k' }, deps)
    expect({ live: list.live, ids: list.models.map((m) => m.id) }).toEqual({ live: false, ids: ['sonar', 'sonar-pro', 'sonar-reasoning-pro', 'sonar-deep-research'] })
  })
})
