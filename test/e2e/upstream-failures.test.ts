import { describe, expect, test } from 'bun:test'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { readChunks, toSse } from '../helpers/recorded'
import { startTestServer } from '../helpers/test-server'

const fastTimeouts = { connectMs: 300, firstByteMs: 300, idleMs: 300, totalMs: 400 }

const configFor = (primary: string, backup?: string) => ({
  connections: [
    { name: 'primary', provider: 'openai-compatible', prefix: 'p', baseUrl: primary, apiKey: 'k1' },
    { name: 'claude', provider: 'anthropic-compatible', prefix: 'cp', baseUrl: primary, apiKey: 'k1' },
    ...(backup ? [{ name: 'backup', provider: 'openai-compatible', prefix: 'b', baseUrl: backup, apiKey: 'k2' }] : []),
  ],
  combos: backup ? [{ name: 'stack', models: ['p/m1', 'b/m2'] }] : [],
  settings: { timeouts: fastTimeouts },
})

const chat = (url: string, body: Record<string, unknown>) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [], ...body }) })

const never = () => ({ pause: new Promise<void>(() => {}) })

describe('upstream timeouts', () => {
  test('a stream that never sends its first byte fails over before the client sees anything', async () => {
    await using primary = startFakeUpstream()
    await using backup = startFakeUpstream()
    await using modelmux = await startTestServer(configFor(primary.url, backup.url))
    primary.reply(() => ({ headers: { 'content-type': 'text/event-stream' }, parts: [never()] }))
    const parts = toSse(readChunks('openai-chat/openai-text.chunks.txt'), 'openai')
    backup.reply({ headers: { 'content-type': 'text/event-stream' }, parts })
    const response = await chat(modelmux.url, { model: 'stack', stream: true })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-modelmux-model')).toBe('b/m2')
    expect(response.headers.get('x-modelmux-attempts')).toBe('2')
    const text = await response.text()
    expect(text).toContain('"model":"b/m2"')
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
  })

  test('with nothing to fall back to, a silent upstream is a 504 in the caller\'s format', async () => {
    await using primary = startFakeUpstream()
    await using modelmux = await startTestServer(configFor(primary.url))
    primary.reply(() => ({ headers: { 'content-type': 'text/event-stream' }, parts: [never()] }))
    const openai = await chat(modelmux.url, { model: 'p/m1', stream: true })
    expect(openai.status).toBe(504)
    expect((await openai.json()).error.message).toMatch(/primary: (no response from upstream|upstream sent no data) within 300 ms/)
    const anthropic = await fetch(`${modelmux.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cp/m', max_tokens: 5, stream: false, messages: [] }),
    })
    expect(anthropic.status).toBe(504)
    expect(await anthropic.json()).toEqual({ type: 'error', error: { type: 'timeout_error', message: expect.stringMatching(/claude: /) } })
  })

  test('a stream that stalls mid-answer ends with an in-band error, not a silent truncation', async () => {
    await using primary = startFakeUpstream()
    await using modelmux = await startTestServer(configFor(primary.url))
    const parts = toSse(readChunks('openai-chat/openai-text.chunks.txt'), 'openai')
    primary.reply(() => ({ headers: { 'content-type': 'text/event-stream' }, parts: [parts[0], parts[1], 'data: {"id":"half', never()] }))
    const response = await chat(modelmux.url, { model: 'p/m1', stream: true })
    expect(response.status).toBe(200)
    const text = await response.text()
    const events = text.split('\n\n').filter((event) => event.trim() !== '')
    const last = JSON.parse(events.at(-1)!.replace(/^\s*data: /, ''))
    expect(last.error.message).toMatch(/upstream sent nothing for 300 ms/)
    expect(text).not.toContain('"half')
    expect(text).not.toContain('[DONE]')

    const anthropicParts = toSse(readChunks('anthropic/anthropic-text.chunks.txt'), 'anthropic')
    const firstDelta = anthropicParts.findIndex((part) => part.startsWith('event: content_block_delta'))
    primary.reply(() => ({ headers: { 'content-type': 'text/event-stream' }, parts: [...anthropicParts.slice(0, firstDelta + 1), never()] }))
    const anthropic = await fetch(`${modelmux.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cp/m', max_tokens: 5, stream: true, messages: [] }),
    })
    const anthropicText = await anthropic.text()
    expect(anthropicText).toMatch(/\n\nevent: error\ndata: \{"type":"error","error":\{"type":"timeout_error","message":"claude: upstream sent nothing for 300 ms"\}\}\n\n$/)
  })

  test('a stream whose connection drops mid-answer ends with an in-band error', async () => {
    let served = 0
    const server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch() {
        served++
        return new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('data: {"id":"1","model":"m","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n'))
              setTimeout(() => controller.error(new Error('boom')), 20)
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        )
      },
    })
    try {
      await using modelmux = await startTestServer(configFor(`http://127.0.0.1:${server.port}`))
      const response = await chat(modelmux.url, { model: 'p/m1', stream: true })
      const text = await response.text()
      expect(text.startsWith('data: {"id":"1","model":"p/m1"')).toBe(true)
      expect(text).toMatch(/data: \{"error":\{"message":"primary: .*","type":"[a-z_]+","param":null,"code":null\}\}\n\n$/)
      // Restarts on the same account (after a cut, not after silence) repeat the sent text and break again: bounded.
      expect(served).toBe(3)
      expect(text.match(/"content":"Hel"/g)).toHaveLength(1)
    } finally {
      await server.stop(true)
    }
  })

  test('a stream whose connection drops before any output falls over (it is not taken for a client that left)', async () => {
    const dropping = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('data: {"id":"1","model":"m","choices":[{"index":0,"delta":{"role":"assistant"}}]}\n\n'))
              setTimeout(() => controller.error(new Error('boom')), 20)
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    })
    try {
      await using backup = startFakeUpstream()
      backup.reply({ headers: { 'content-type': 'text/event-stream' }, parts: toSse(readChunks('openai-chat/openai-text.chunks.txt'), 'openai') })
      await using modelmux = await startTestServer(configFor(`http://127.0.0.1:${dropping.port}`, backup.url))
      const response = await chat(modelmux.url, { model: 'stack', stream: true })
      expect(response.status).toBe(200)
      expect(response.headers.get('x-modelmux-model')).toBe('b/m2')
      expect((await response.text()).endsWith('data: [DONE]\n\n')).toBe(true)
    } finally {
      await dropping.stop(true)
    }
  })

  test('a non-stream answer slower than totalMs is a 504', async () => {
    await using primary = startFakeUpstream()
    await using modelmux = await startTestServer(configFor(primary.url))
    primary.reply({ parts: [{ delayMs: 1000 }, '{}'] })
    const response = await chat(modelmux.url, { model: 'p/m1' })
    expect(response.status).toBe(504)
    expect((await response.json()).error.type).toBe('timeout_error')
  })

  test('a refused connection falls over to the next candidate, then reports honestly', async () => {
    await using backup = startFakeUpstream()
    backup.reply({ parts: ['{"id":"x","model":"m2","choices":[]}'] })
    await using modelmux = await startTestServer(configFor('http://127.0.0.1:9/v1', backup.url))
    const response = await chat(modelmux.url, { model: 'stack' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ id: 'x', model: 'b/m2', choices: [] })
    const alone = await chat(modelmux.url, { model: 'p/m1' })
    expect(alone.status).toBe(502)
    expect((await alone.json()).error.message).toMatch(/primary: connection refused|primary: cannot reach upstream/)
  })
})

describe('upstream HTTP errors', () => {
  test('a client error from the upstream is returned as is, without trying others', async () => {
    await using primary = startFakeUpstream()
    await using backup = startFakeUpstream()
    await using modelmux = await startTestServer(configFor(primary.url, backup.url))
    const body = '{"error":{"message":"messages: field required","type":"invalid_request_error","param":"messages","code":null}}'
    primary.reply({ status: 400, parts: [body] })
    const response = await chat(modelmux.url, { model: 'stack' })
    expect(response.status).toBe(400)
    expect(await response.text()).toBe(body)
    expect(response.headers.get('x-modelmux-attempts')).toBe('1')
    expect(backup.received).toHaveLength(0)
  })

  test('a 429 or 5xx moves on to the next candidate', async () => {
    await using primary = startFakeUpstream()
    await using backup = startFakeUpstream()
    await using modelmux = await startTestServer(configFor(primary.url, backup.url))
    primary.reply({ status: 429, headers: { 'content-type': 'application/json', 'retry-after': '30' }, parts: ['{"error":{"message":"slow down"}}'] })
    backup.reply({ parts: ['{"id":"x","model":"m2","choices":[]}'] })
    const response = await chat(modelmux.url, { model: 'stack' })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-modelmux-attempts')).toBe('2')
    primary.reply({ status: 503, parts: ['{"error":{"message":"overloaded"}}'] })
    backup.reply({ status: 500, parts: ['{"error":{"message":"backup broke"}}'] })
    const bothDown = await chat(modelmux.url, { model: 'stack' })
    expect(bothDown.status).toBe(500)
    expect(await bothDown.json()).toEqual({ error: { message: 'backup broke' } })
  })
})

test('an upstream that answers 200 with an empty stream is an error, not an empty success', async () => {
  await using primary = startFakeUpstream()
  await using modelmux = await startTestServer(configFor(primary.url))
  primary.reply({ headers: { 'content-type': 'text/event-stream' }, parts: [] })
  const response = await chat(modelmux.url, { model: 'p/m1', stream: true })
  expect(response.status).toBe(502)
  expect((await response.json()).error.message).toMatch(/^primary: upstream (stream was empty|ended the stream before any output)$/)
})
