import { describe, expect, test } from 'bun:test'
import { startFakeUpstream, type FakeReply } from '../helpers/fake-upstream'
import { readBody, readChunks, toSse } from '../helpers/recorded'
import { startTestServer } from '../helpers/test-server'

const timeouts = { connectMs: 300, firstByteMs: 300, idleMs: 300, totalMs: 1000 }
const health = { breakerThreshold: 3, breakerBaseMs: 400, breakerMaxMs: 2000, backoffBaseMs: 300, backoffMaxMs: 2000 }
const never = () => ({ pause: new Promise<void>(() => {}) })

const openaiOk: FakeReply = { parts: [readBody('openai-chat/openai-text.json')] }
const openaiStream = (): FakeReply => ({ headers: { 'content-type': 'text/event-stream' }, parts: toSse(readChunks('openai-chat/openai-text.chunks.txt'), 'openai') })

/** Two accounts of one provider (primary first) plus a second model in a combo. */
async function setup(extra: Record<string, unknown> = {}) {
  const primary = startFakeUpstream()
  const backup = startFakeUpstream()
  const other = startFakeUpstream()
  const modelmux = await startTestServer(
    {
      connections: [
        { name: 'primary', provider: 'openai-compatible', prefix: 'p', baseUrl: `${primary.url}/v1`, apiKey: 'k1', priority: 1 },
        { name: 'backup', provider: 'openai-compatible', prefix: 'p', baseUrl: `${backup.url}/v1`, apiKey: 'k2', priority: 2 },
        { name: 'other', provider: 'anthropic-compatible', prefix: 'o', baseUrl: `${other.url}/v1`, apiKey: 'k3' },
      ],
      combos: [{ name: 'stack', models: ['p/big', 'o/claude-small'] }],
      settings: { timeouts, ...extra },
    },
    {},
    { health },
  )
  return {
    primary,
    backup,
    other,
    modelmux,
    chat: (body: Record<string, unknown> = {}) =>
      fetch(`${modelmux.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'p/big', messages: [{ role: 'user', content: 'hi' }], ...body }),
      }),
    state: async (name: string) => {
      const login = await fetch(`${modelmux.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":"test-password-1"}' })
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]
      const list = await (await fetch(`${modelmux.url}/api/providers`, { headers: { cookie } })).json()
      const connection = list.connections.find((c: { name: string }) => c.name === name)
      return { connection, cookie }
    },
    rows: async (table: 'usage_events' | 'attempts') => {
      await modelmux.server.context.usage.flush()
      return modelmux.server.context.db.query(`SELECT * FROM ${table} ORDER BY id`).all() as Record<string, any>[]
    },
    async [Symbol.asyncDispose]() {
      await modelmux[Symbol.asyncDispose]()
      for (const server of [primary, backup, other]) await server[Symbol.asyncDispose]()
    },
  }
}

describe('rate limits', () => {
  test('429 with Retry-After: next account answers, the limited one cools down until the reset, visibly, and can be cleared', async () => {
    await using env = await setup()
    env.primary.reply({ status: 429, headers: { 'content-type': 'application/json', 'retry-after': '120' }, parts: ['{"error":{"message":"rate limited"}}'] })
    env.backup.reply(openaiOk)
    const first = await env.chat()
    expect(first.status).toBe(200)
    expect(first.headers.get('x-modelmux-attempts')).toBe('2')
    const second = await env.chat()
    expect(second.status).toBe(200)
    expect(second.headers.get('x-modelmux-attempts')).toBe('1')
    expect(env.primary.received).toHaveLength(1)
    const { connection, cookie } = await env.state('primary')
    expect(connection.health).toMatchObject({ state: 'cooling-down', reason: 'rate limited (429)' })
    expect(connection.health.until - Date.now()).toBeGreaterThan(100_000)
    const cleared = await fetch(`${env.modelmux.url}/api/providers/${connection.id}/cooldown`, { method: 'DELETE', headers: { cookie, 'hx-request': 'true' } })
    expect((await cleared.json()).health.state).toBe('healthy')
    env.primary.reply(openaiOk)
    await env.chat()
    expect(env.primary.received).toHaveLength(2)
  })

  test('a Retry-After of a moment is waited out on the same account; a client that leaves meanwhile ends it there', async () => {
    await using env = await setup()
    let calls = 0
    env.primary.reply(() => (++calls === 1 ? { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '1' }, parts: ['{"error":{"message":"slow down"}}'] } : openaiOk))
    const started = Date.now()
    const waited = await env.chat()
    expect(waited.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(env.primary.received).toHaveLength(2)
    expect(env.backup.received).toHaveLength(0)

    calls = 0
    const controller = new AbortController()
    const leaving = fetch(`${env.modelmux.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'p/big', messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    }).catch(() => undefined)
    await Bun.sleep(200)
    controller.abort()
    await leaving
    await Bun.sleep(100)
    expect(env.primary.received).toHaveLength(3)
    expect(env.backup.received).toHaveLength(0)
    expect((await env.rows('usage_events')).at(-1)).toMatchObject({ status: 499 })
  })

  test('429 without Retry-After backs off by itself and the account comes back', async () => {
    await using env = await setup()
    env.primary.reply({ status: 429, parts: ['{"error":{"message":"slow down"}}'] })
    env.backup.reply(openaiOk)
    expect((await env.chat()).status).toBe(200)
    expect((await env.state('primary')).connection.health.state).toBe('cooling-down')
    env.primary.reply(openaiOk)
    const deadline = Date.now() + 3000
    while ((await env.state('primary')).connection.health.state !== 'healthy' && Date.now() < deadline) await Bun.sleep(50)
    await env.chat()
    expect(env.primary.received).toHaveLength(2)
  })

  test('when every account is limited the client gets an honest 429 with Retry-After, without hammering upstream', async () => {
    await using env = await setup()
    for (const server of [env.primary, env.backup]) server.reply({ status: 429, headers: { 'content-type': 'application/json', 'retry-after': '60' }, parts: ['{"error":{"message":"quota"}}'] })
    const first = await env.chat()
    expect(first.status).toBe(429)
    const second = await env.chat()
    expect(second.status).toBe(429)
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(50)
    expect((await second.json()).error.message).toMatch(/every account for "p\/big" is unavailable until .*rate limited \(429\)/)
    expect(env.primary.received).toHaveLength(1)
    expect(env.backup.received).toHaveLength(1)
  })
})

describe('transient faults', () => {
  test('a 500 once is retried once on the same account', async () => {
    await using env = await setup()
    let calls = 0
    env.primary.reply(() => (++calls === 1 ? { status: 500, parts: ['{"error":{"message":"hiccup"}}'] } : openaiOk))
    const response = await env.chat()
    expect(response.status).toBe(200)
    expect(response.headers.get('x-modelmux-attempts')).toBe('2')
    expect(env.backup.received).toHaveLength(0)
    const attempts = (await env.rows('attempts'))
    expect(attempts.map((a) => [a.connection_id, a.status, a.failure_class])).toEqual([
      [attempts[0].connection_id, 500, 'transient'],
      [attempts[0].connection_id, 200, null],
    ])
  })

  test('a persistently failing primary opens its circuit, then a probe brings the router back to it', async () => {
    await using env = await setup()
    env.primary.reply({ status: 503, parts: ['{"error":{"message":"down"}}'] })
    env.backup.reply(openaiOk)
    for (let i = 0; i < 2; i++) expect((await env.chat()).status).toBe(200)
    expect((await env.state('primary')).connection.health.state).toBe('circuit-open')
    const callsWhileOpen = env.primary.received.length
    expect((await env.chat()).status).toBe(200)
    expect(env.primary.received.length).toBe(callsWhileOpen)
    env.primary.reply(openaiOk)
    const deadline = Date.now() + 3000
    while ((await env.state('primary')).connection.health.state === 'circuit-open' && Date.now() < deadline) await Bun.sleep(50)
    const recovered = await env.chat()
    expect(recovered.status).toBe(200)
    expect(env.primary.received.length).toBe(callsWhileOpen + 1)
    expect((await env.state('primary')).connection.health.state).toBe('healthy')
  })

  test('a connection reset before headers falls over', async () => {
    const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { open: (socket) => void socket.end(), data() {} } })
    try {
      await using env = await setup()
      env.backup.reply(openaiOk)
      const config = env.modelmux.server.context
      const primary = config.registry.connections.find((c) => c.connection.name === 'primary')!
      primary.connection.baseUrl = `http://127.0.0.1:${listener.port}/v1`
      const response = await env.chat()
      expect(response.status).toBe(200)
      expect(env.backup.received).toHaveLength(1)
    } finally {
      listener.stop(true)
    }
  })

  test.each([
    ['no response at all', (): FakeReply => ({ headers: { 'content-type': 'text/event-stream' }, parts: [never()] })],
    ['a slow first token', (): FakeReply => ({ headers: { 'content-type': 'text/event-stream' }, parts: [{ delayMs: 800 }, ...openaiStream().parts] })],
    ['only a preamble, then silence', (): FakeReply => ({ headers: { 'content-type': 'text/event-stream' }, parts: [openaiStream().parts[0] as string, never()] })],
    ['an in-band error before any output', (): FakeReply => ({ headers: { 'content-type': 'text/event-stream' }, parts: ['data: {"error":{"message":"overloaded","code":503}}\n\n'] })],
  ])('%s falls over invisibly before anything reached the client', async (_name, reply) => {
    await using env = await setup()
    env.primary.reply(reply)
    env.backup.reply(openaiStream)
    const response = await env.chat({ stream: true })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-modelmux-model')).toBe('p/big')
    const text = await response.text()
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(text).not.toContain('"error"')
  })
})

describe('request errors', () => {
  test('a 200 that carries only an error is treated as the failure it is', async () => {
    await using env = await setup()
    env.primary.reply({ parts: ['{"error":{"message":"upstream overloaded","code":503}}'] })
    env.backup.reply(openaiOk)
    const response = await env.chat()
    expect(response.status).toBe(200)
    expect((await response.json()).choices).toBeDefined()
    expect((await env.rows('attempts')).map((a) => [a.status, a.failure_class])).toEqual([
      [503, 'transient'],
      [503, 'transient'],
      [200, null],
    ])
  })

  test('a context-length error moves to the next combo model; a content filter is returned at once', async () => {
    await using env = await setup()
    env.primary.reply({ status: 400, parts: ['{"error":{"message":"This model\'s maximum context length is 8192 tokens","code":"context_length_exceeded"}}'] })
    env.other.reply({ parts: [readBody('anthropic/anthropic-text.json')] })
    const response = await env.chat({ model: 'stack' })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-modelmux-model')).toBe('o/claude-small')
    // The other account of the same model was not tried: the prompt is too long for the model, not the account.
    expect(env.backup.received).toHaveLength(0)
    env.primary.reply({ status: 400, parts: ['{"error":{"message":"flagged","code":"content_filter"}}'] })
    const filtered = await env.chat({ model: 'stack' })
    expect(filtered.status).toBe(400)
    expect(env.other.received).toHaveLength(1)
    expect((await env.state('primary')).connection.health.state).toBe('healthy')
  })
})

describe('streams after output started', () => {
  test('a cut stream ends with an in-band error; usage is recorded once, for the model that answered', async () => {
    await using env = await setup()
    const parts = openaiStream().parts as string[]
    env.primary.reply({ status: 429, parts: ['{"error":{"message":"limited"}}'] })
    env.backup.reply({ headers: { 'content-type': 'text/event-stream' }, parts: [...parts.slice(0, 4), never()] })
    const response = await env.chat({ stream: true })
    const text = await response.text()
    expect(text).toMatch(/data: \{"error":\{"message":"backup: upstream sent nothing for 300 ms"/)
    expect(text).not.toContain('[DONE]')
    const usage = (await env.rows('usage_events'))
    expect(usage).toHaveLength(1)
    expect(usage[0]).toMatchObject({ model: 'p/big', status: 504, attempts: 2, connection_id: env.modelmux.server.context.registry.connections.find((c) => c.connection.name === 'backup')!.connection.id })
    expect((await env.rows('attempts')).map((a) => a.status)).toEqual([429, 504])
  })

  test('a cut translated stream ends with the client format\'s in-band error after what arrived, and is recorded as failed', async () => {
    await using env = await setup()
    const parts = toSse(readChunks('anthropic/anthropic-text.chunks.txt'), 'anthropic')
    env.other.reply({ headers: { 'content-type': 'text/event-stream' }, parts: [...parts.slice(0, 5), never()] })
    const response = await env.chat({ model: 'o/claude', stream: true })
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text).toMatch(/"content":"Hello/)
    expect(text).toMatch(/data: \{"error":\{"message":"[^"]*upstream sent nothing for 300 ms"/)
    expect(text).not.toContain('[DONE]')
    const usage = await env.rows('usage_events')
    expect(usage).toHaveLength(1)
    expect(usage[0]).toMatchObject({ model: 'o/claude', status: 504 })
  })

  test('a malformed chunk in a translated stream never crashes the server or reaches the client as garbage', async () => {
    await using env = await setup()
    const parts = toSse(readChunks('anthropic/anthropic-text.chunks.txt'), 'anthropic')
    const malformed = [...parts.slice(0, 4), 'event: content_block_delta\ndata: {"type":"content_block_delta",,,}\n\n', ...parts.slice(4)]
    env.other.reply({ headers: { 'content-type': 'text/event-stream' }, parts: malformed })
    const response = await env.chat({ model: 'o/claude', stream: true })
    const text = await response.text()
    for (const event of text.split('\n\n').filter((e) => e.trim())) {
      const data = event.replace(/^data: /, '')
      if (data !== '[DONE]') expect(() => JSON.parse(data)).not.toThrow()
    }
    // Every try to carry it on met the same broken stream: the answer ends in-band, and the account cools down.
    expect(text).toMatch(/data: \{"error":\{"message":"upstream sent invalid JSON/)
    expect(env.other.received.length).toBeLessThanOrEqual(3)
    env.other.reply({ parts: [readBody('anthropic/anthropic-text.json')] })
    const deadline = Date.now() + 5000
    while ((await env.state('other')).connection.health.state === 'circuit-open' && Date.now() < deadline) await Bun.sleep(50)
    expect((await env.chat({ model: 'o/claude' })).status).toBe(200)
  })

  test('a stream missing [DONE] still finishes properly for a client of another format', async () => {
    await using env = await setup()
    const parts = (openaiStream().parts as string[]).filter((part) => !part.includes('[DONE]'))
    env.primary.reply({ headers: { 'content-type': 'text/event-stream' }, parts })
    const response = await fetch(`${env.modelmux.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'p/big', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    })
    const text = await response.text()
    expect(text).toContain('event: message_stop')
    expect(text).not.toContain('event: error')
  })
})
