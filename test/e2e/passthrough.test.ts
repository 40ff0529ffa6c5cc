import { describe, expect, test } from 'bun:test'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { readBody, readChunks, toSse } from '../helpers/recorded'
import { startTestServer } from '../helpers/test-server'

const config = (upstreamUrl: string) => ({
  connections: [
    { name: 'local-vllm', provider: 'openai-compatible', prefix: 'vllm', baseUrl: `${upstreamUrl}/v1`, apiKey: 'sk-upstream-openai', models: ['qwen3-coder'] },
    { name: 'claude-proxy', provider: 'anthropic-compatible', prefix: 'cp', baseUrl: `${upstreamUrl}/v1`, apiKey: 'sk-upstream-anthropic' },
  ],
})

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

/** What the client must receive: the upstream bytes with only the structural `model` values replaced. */
function expectedWithModel(sse: string, model: string): string {
  return sse.replace(/(?<!\\)"model":"(?:[^"\\]|\\.)*"/g, `"model":${JSON.stringify(model)}`)
}

const openaiStreams = ['openai-chat/openai-text.chunks.txt', 'deepseek/deepseek-reasoning.chunks.txt', 'groq/groq-tool-call.chunks.txt']
const anthropicStreams = ['anthropic/anthropic-text.chunks.txt', 'anthropic/anthropic-tool-no-args.chunks.txt', 'anthropic/anthropic-web-search-tool.1.chunks.txt']

describe('same-format passthrough', () => {
  test.each(openaiStreams)('OpenAI stream %s arrives byte for byte except model', async (fixture) => {
    await using upstream = startFakeUpstream()
    await using modelmux = await startTestServer(config(upstream.url))
    const parts = toSse(readChunks(fixture), 'openai')
    upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: [...parts] })
    const response = await post(`${modelmux.url}/v1/chat/completions`, { model: 'vllm/qwen3-coder', stream: true, messages: [{ role: 'user', content: 'hi' }] })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    expect(response.headers.get('x-modelmux-model')).toBe('vllm/qwen3-coder')
    expect(response.headers.get('x-modelmux-attempts')).toBe('1')
    expect(await response.text()).toBe(expectedWithModel(parts.join(''), 'vllm/qwen3-coder'))
    expect(JSON.parse(upstream.received[0].body).model).toBe('qwen3-coder')
    expect(upstream.received[0].path).toBe('/v1/chat/completions')
    expect(upstream.received[0].headers.authorization).toBe('Bearer sk-upstream-openai')
  })

  test.each(anthropicStreams)('Anthropic stream %s arrives byte for byte except model', async (fixture) => {
    await using upstream = startFakeUpstream()
    await using modelmux = await startTestServer(config(upstream.url))
    const parts = toSse(readChunks(fixture), 'anthropic')
    upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: [...parts] })
    const response = await post(
      `${modelmux.url}/v1/messages`,
      { model: 'cp/claude-sonnet-4-6', stream: true, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': 'anything', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'tools-2024-04-04' },
    )
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(expectedWithModel(parts.join(''), 'cp/claude-sonnet-4-6'))
    const received = upstream.received[0]
    expect(received.path).toBe('/v1/messages')
    expect(received.headers['x-api-key']).toBe('sk-upstream-anthropic')
    expect(received.headers['anthropic-version']).toBe('2023-06-01')
    expect(received.headers['anthropic-beta']).toBe('tools-2024-04-04')
    expect(received.headers.authorization).toBeUndefined()
  })

  test('stream chunks split mid-line and mid-character still arrive intact', async () => {
    const whole = toSse(readChunks('openai-chat/openai-text.chunks.txt'), 'openai').join('').replace('"content":"', '"content":"é€😀')
    // 7-byte slices cut through lines, JSON keys and multi-byte characters.
    await using raw = rawUpstream(new TextEncoder().encode(whole), 7)
    await using modelmux = await startTestServer({ connections: [{ name: 'raw', provider: 'openai-compatible', prefix: 'raw', baseUrl: raw.url, apiKey: 'k' }] })
    const response = await post(`${modelmux.url}/v1/chat/completions`, { model: 'raw/m', stream: true, messages: [] })
    expect(await response.text()).toBe(expectedWithModel(whole, 'raw/m'))
  })

  test('non-stream bodies pass through with only model rewritten', async () => {
    await using upstream = startFakeUpstream()
    await using modelmux = await startTestServer(config(upstream.url))
    const body = readBody('openai-chat/openai-text.json')
    upstream.reply({ parts: [body] })
    const response = await post(`${modelmux.url}/v1/chat/completions`, { model: 'vllm/qwen3-coder', messages: [{ role: 'user', content: 'hi' }] })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(rewritten(body, 'vllm/qwen3-coder'))
    expect(JSON.parse(upstream.received[0].body)).toEqual({ model: 'qwen3-coder', messages: [{ role: 'user', content: 'hi' }] })

    const anthropicBody = readBody('anthropic/anthropic-text.json')
    upstream.reply({ parts: [anthropicBody] })
    const anthropicResponse = await post(`${modelmux.url}/v1/messages`, { model: 'cp/claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    const json = await anthropicResponse.json()
    expect(json).toEqual({ ...JSON.parse(anthropicBody), model: 'cp/claude-x' })
  })

  test('the request body reaches the upstream byte for byte except model (spacing, key order, 1.0, escapes kept)', async () => {
    await using upstream = startFakeUpstream()
    await using modelmux = await startTestServer(config(upstream.url))
    upstream.reply({ parts: [readBody('openai-chat/openai-text.json')] })
    const sent = '{ "messages" : [ { "role": "user", "content": "caf\\u00e9 \\"model\\"" } ],\n  "temperature": 1.0, "model": "vllm/qwen3-coder" }'
    const response = await fetch(`${modelmux.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent })
    expect(response.status).toBe(200)
    expect(upstream.received[0].body).toBe(sent.replace('"vllm/qwen3-coder"', '"qwen3-coder"'))
  })

  test('the first chunk reaches the client before the upstream finishes', async () => {
    await using upstream = startFakeUpstream()
    await using modelmux = await startTestServer(config(upstream.url))
    const gate = Promise.withResolvers<void>()
    const parts = toSse(readChunks('openai-chat/openai-text.chunks.txt'), 'openai')
    // parts[0] only announces the role; parts[1] carries the first text.
    upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: [parts[0], parts[1], { pause: gate.promise }, ...parts.slice(2)] })
    const response = await post(`${modelmux.url}/v1/chat/completions`, { model: 'vllm/qwen3-coder', stream: true, messages: [] })
    const reader = response.body!.getReader()
    let received = ''
    const wanted = expectedWithModel(parts[0] + parts[1], 'vllm/qwen3-coder')
    while (received.length < wanted.length) received += new TextDecoder().decode((await reader.read()).value)
    expect(received).toBe(wanted)
    gate.resolve()
    let rest = ''
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value)
    expect(rest.endsWith('data: [DONE]\n\n')).toBe(true)
  })

  /** An OpenAI upstream that sends two events, then stalls until `release`; a client streams from it on `path`. */
  async function stalledStream(path: string, headers: Record<string, string>, body: unknown) {
    const upstream = startFakeUpstream()
    const modelmux = await startTestServer(config(upstream.url))
    const stalled = Promise.withResolvers<void>()
    const parts = toSse(readChunks('openai-chat/openai-text.chunks.txt'), 'openai')
    upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: [parts[0], parts[1], { pause: stalled.promise }] })
    const controller = new AbortController()
    const response = await fetch(`${modelmux.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: controller.signal })
    return {
      upstream,
      modelmux,
      reader: response.body!.getReader(),
      controller,
      release: () => stalled.resolve(),
      async [Symbol.asyncDispose]() {
        await modelmux[Symbol.asyncDispose]()
        await upstream[Symbol.asyncDispose]()
      },
    }
  }

  test('a client disconnect aborts the upstream request', async () => {
    await using stream = await stalledStream('/v1/chat/completions', {}, { model: 'vllm/qwen3-coder', stream: true, messages: [] })
    await stream.reader.read()
    stream.controller.abort()
    await stream.upstream.cancelled
    stream.release()
  })

  test('a client disconnect aborts the upstream request of a translated stream too', async () => {
    await using stream = await stalledStream(
      '/v1/messages',
      { 'anthropic-version': '2023-06-01' },
      { model: 'vllm/qwen3-coder', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
    )
    const { upstream, modelmux, reader, controller } = stream
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: message_start')
    controller.abort()
    await upstream.cancelled
    stream.release()
    await Bun.sleep(50)
    await modelmux.server.context.usage.flush()
    expect(modelmux.server.context.db.query('SELECT status, error FROM usage_events').all()).toEqual([{ status: 499, error: 'client disconnected' }])
  })

  test('usage reported by the upstream is recorded once per request', async () => {
    await using upstream = startFakeUpstream()
    await using modelmux = await startTestServer(config(upstream.url))
    upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: toSse(readChunks('anthropic/anthropic-text.chunks.txt'), 'anthropic') })
    const response = await post(`${modelmux.url}/v1/messages`, { model: 'cp/claude-x', stream: true, max_tokens: 10, messages: [] })
    await response.text()
    const { context } = modelmux.server
    const deadline = Date.now() + 5000
    let rows: Record<string, unknown>[] = []
    while (rows.length === 0 && Date.now() < deadline) {
      await context.usage.flush()
      rows = context.db.query('SELECT * FROM usage_events').all() as Record<string, unknown>[]
      if (rows.length === 0) await Bun.sleep(5)
    }
    expect(rows).toHaveLength(1)
    const chunks = readChunks('anthropic/anthropic-text.chunks.txt').map((line) => JSON.parse(line))
    const start = chunks.find((c) => c.type === 'message_start').message.usage
    const delta = chunks.findLast((c) => c.type === 'message_delta').usage
    expect(rows[0]).toMatchObject({
      model: 'cp/claude-x',
      provider: 'anthropic-compatible',
      status: 200,
      stream: 1,
      input_tokens: delta.input_tokens ?? start.input_tokens,
      output_tokens: delta.output_tokens,
    })
  })
})

function rewritten(body: string, model: string): string {
  return body.replace(/(?<!\\)"model"(\s*:\s*)"(?:[^"\\]|\\.)*"/g, (_m, colon) => `"model"${colon}${JSON.stringify(model)}`)
}

/** An upstream that writes exact byte slices, to cut lines and characters anywhere. */
function rawUpstream(bytes: Uint8Array, size: number) {
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch() {
      let offset = 0
      return new Response(
        new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (offset >= bytes.length) return controller.close()
            controller.enqueue(bytes.slice(offset, offset + size))
            offset += size
            await Bun.sleep(0)
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      )
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, [Symbol.asyncDispose]: () => server.stop(true) }
}
