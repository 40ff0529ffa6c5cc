import { describe, expect, test } from 'bun:test'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { startTestServer } from '../helpers/test-server'

const KEY = 'sk-mm-test-key-0123456789abcdef'

const setup = async (env: Record<string, string> = {}, settings: Record<string, unknown> = {}) => {
  const upstream = startFakeUpstream()
  upstream.reply({ parts: ['{"id":"x","model":"m","choices":[]}'] })
  const modelmux = await startTestServer(
    {
      connections: [
        { name: 'o', provider: 'openai-compatible', prefix: 'vllm', baseUrl: upstream.url, apiKey: 'sk-upstream' },
        { name: 'a', provider: 'anthropic-compatible', prefix: 'cp', baseUrl: upstream.url, apiKey: 'sk-upstream' },
      ],
      apiKeys: [{ name: 'laptop', key: KEY }],
      settings,
    },
    env,
  )
  return {
    upstream,
    modelmux,
    async [Symbol.asyncDispose]() {
      await modelmux[Symbol.asyncDispose]()
      await upstream[Symbol.asyncDispose]()
    },
  }
}

const chat = (url: string, headers: Record<string, string>) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"model":"vllm/m","messages":[]}' })

describe('client API keys', () => {
  test.each([
    ['Authorization: Bearer', { authorization: `Bearer ${KEY}` }],
    ['x-api-key', { 'x-api-key': KEY }],
    ['x-goog-api-key', { 'x-goog-api-key': KEY }],
  ])('accepted as %s when required', async (_name, headers) => {
    await using env = await setup({ REQUIRE_API_KEY: 'true' })
    const response = await chat(env.modelmux.url, headers)
    expect(response.status).toBe(200)
    // The client's key never travels upstream; the connection's own key does.
    const received = env.upstream.received[0].headers
    expect(JSON.stringify(received)).not.toContain(KEY)
    expect(received.authorization).toBe('Bearer sk-upstream')
  })

  test('missing or wrong keys get 401 in the caller\'s format', async () => {
    await using env = await setup({ REQUIRE_API_KEY: 'true' })
    const missing = await chat(env.modelmux.url, {})
    expect(missing.status).toBe(401)
    expect((await missing.json()).error.type).toBe('authentication_error')
    const wrong = await fetch(`${env.modelmux.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-wrong' },
      body: '{"model":"cp/m","max_tokens":1,"messages":[]}',
    })
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'invalid API key' } })
    const models = await fetch(`${env.modelmux.url}/v1/models`)
    expect(models.status).toBe(401)
    expect(env.upstream.received).toHaveLength(0)
  })

  test('the requireApiKey setting enforces keys too', async () => {
    await using env = await setup({}, { requireApiKey: true })
    expect((await chat(env.modelmux.url, {})).status).toBe(401)
    expect((await chat(env.modelmux.url, { 'x-api-key': KEY })).status).toBe(200)
  })

  test('on loopback without a setting, keys are optional', async () => {
    await using env = await setup()
    expect((await chat(env.modelmux.url, {})).status).toBe(200)
    expect((await chat(env.modelmux.url, { authorization: 'Bearer whatever-claude-code-sends' })).status).toBe(200)
  })

  test('bound beyond loopback, keys are required unless explicitly disabled', async () => {
    await using required = await setup({ HOSTNAME: '0.0.0.0' })
    const port = new URL(required.modelmux.url).port
    expect((await chat(`http://127.0.0.1:${port}`, {})).status).toBe(401)
    expect((await chat(`http://127.0.0.1:${port}`, { 'x-api-key': KEY })).status).toBe(200)
    await using disabled = await setup({ HOSTNAME: '0.0.0.0', REQUIRE_API_KEY: 'false' })
    const port2 = new URL(disabled.modelmux.url).port
    expect((await chat(`http://127.0.0.1:${port2}`, {})).status).toBe(200)
  })

  test('keys are stored hashed, never in plain text', async () => {
    await using env = await setup()
    const rows = env.modelmux.server.context.db.query('SELECT * FROM api_keys').all()
    expect(JSON.stringify(rows)).not.toContain(KEY)
    expect(rows).toHaveLength(1)
  })
})

describe('web pages on other sites', () => {
  // What a page on another site can send without a CORS preflight: a POST whose body declares no type.
  const fromPage = (url: string, headers: Record<string, string>) =>
    fetch(`${url}/v1/chat/completions`, { method: 'POST', headers, body: '{"model":"vllm/m","messages":[]}' })

  test('without a key, a cross-site browser request is refused in the caller\'s format and reaches no upstream', async () => {
    await using env = await setup()
    const refused: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ]
    for (const headers of refused) {
      const response = await fromPage(env.modelmux.url, headers)
      expect(response.status).toBe(403)
      expect((await response.json()).error.message).toContain('a web page on another site may not use modelmux without an API key')
    }
    const anthropic = await fetch(`${env.modelmux.url}/v1/messages`, {
      method: 'POST',
      headers: { 'sec-fetch-site': 'cross-site' },
      body: '{"model":"cp/m","max_tokens":8,"messages":[]}',
    })
    expect(anthropic.status).toBe(403)
    expect((await anthropic.json()).error.type).toBe('permission_error')
    expect((await fetch(`${env.modelmux.url}/v1/models`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403)
    expect(env.upstream.received).toHaveLength(0)
  })

  test('the same page with a key, pages on this host or another local port, and tools that send no browser headers are served', async () => {
    await using env = await setup()
    const host = new URL(env.modelmux.url).host
    const served: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', authorization: `Bearer ${KEY}` },
      { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
      { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' },
      // localhost and 127.0.0.1 are different sites to a browser, yet both this machine.
      { origin: 'http://localhost:3000', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://app.localhost:5173', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://localhost:3000' },
      { 'sec-fetch-site': 'none' },
      {},
    ]
    for (const headers of served) expect((await fromPage(env.modelmux.url, headers)).status).toBe(200)
    expect(env.upstream.received).toHaveLength(served.length)
  })
})

test('listening on loopback, a keyless request that names another host (a re-pointed domain) is refused; with a key it is served', async () => {
  await using env = await setup()
  const port = Number(new URL(env.modelmux.url).port)
  // fetch sets Host from the URL; a raw request names the host a page on a re-pointed domain would.
  const send = async (host: string, extra = '') => {
    const body = '{"model":"vllm/m","messages":[]}'
    let out = ''
    const socket = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data: (_, chunk) => void (out += chunk.toString()) } })
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n${extra}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`)
    for (let waited = 0; !/\r\n\r\n[\s\S]*\}/.test(out) && waited < 2000; waited += 10) await Bun.sleep(10)
    socket.end()
    return out
  }
  const rebound = await send(`attacker.example:${port}`)
  expect(rebound).toStartWith('HTTP/1.1 403')
  expect(rebound).toContain('requests must address it as localhost or 127.0.0.1, not \\"attacker.example\\"')
  expect(await send(`attacker.example:${port}`, `Authorization: Bearer ${KEY}\r\n`)).toStartWith('HTTP/1.1 200')
  const local = [`localhost:${port}`, `LocalHost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `modelmux.localhost:${port}`, '127.0.0.1']
  for (const host of local) expect(await send(host)).toStartWith('HTTP/1.1 200')
  expect(await send('[::1.attacker.example]')).toStartWith('HTTP/1.1 403')
  expect(env.upstream.received).toHaveLength(1 + local.length)
  // Keys turned off on purpose (a tunnel that authenticates in front): any host is accepted.
  env.modelmux.server.context.registry.settings.requireApiKey = false
  expect(await send(`modelmux.example.com:${port}`)).toStartWith('HTTP/1.1 200')
})
