import { describe, expect, test } from 'bun:test'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { startTestServer } from '../helpers/test-server'

const routes = [
  { path: '/v1/chat/completions', format: 'openai' },
  { path: '/v1/messages', format: 'anthropic' },
] as const

/** Checks an error body has the caller's format and returns its message. */
function messageOf(format: 'openai' | 'anthropic', body: any): string {
  if (format === 'openai') {
    expect(Object.keys(body)).toEqual(['error'])
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
    expect(body.error.type).toEqual(expect.any(String))
    return body.error.message
  }
  expect(body).toEqual({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } })
  return body.error.message
}

describe.each(routes)('bad input on $path', ({ path, format }) => {
  const cases: { name: string; init: (url: string) => RequestInit; status: number; mentions: RegExp }[] = [
    { name: 'malformed JSON', init: () => ({ body: '{"model": "vllm/m", ', headers: { 'content-type': 'application/json' } }), status: 400, mentions: /not valid JSON/ },
    { name: 'a JSON array', init: () => ({ body: '[1,2]', headers: { 'content-type': 'application/json' } }), status: 400, mentions: /JSON object/ },
    { name: 'missing model', init: () => ({ body: '{"messages":[]}', headers: { 'content-type': 'application/json' } }), status: 400, mentions: /"model" is required/ },
    { name: 'model not a string', init: () => ({ body: '{"model":42}', headers: { 'content-type': 'application/json' } }), status: 400, mentions: /"model" is required/ },
    { name: 'unknown model', init: () => ({ body: '{"model":"nope/x","messages":[]}', headers: { 'content-type': 'application/json' } }), status: 404, mentions: /"nope\/x" is not configured/ },
    { name: 'wrong content type', init: () => ({ body: 'model=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), status: 415, mentions: /content-type must be application\/json/ },
    { name: 'oversized body', init: () => ({ body: JSON.stringify({ model: 'vllm/m', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }), headers: { 'content-type': 'application/json' } }), status: 413, mentions: /larger than the 4096-byte limit/ },
  ]

  test.each(cases)('$name gets a clear $status and the server keeps serving', async ({ init, status, mentions }) => {
    await using upstream = startFakeUpstream()
    await using modelmux = await startTestServer({
      connections: [
        { name: 'o', provider: 'openai-compatible', prefix: 'vllm', baseUrl: upstream.url, apiKey: 'k' },
        { name: 'a', provider: 'anthropic-compatible', prefix: 'cp', baseUrl: upstream.url, apiKey: 'k' },
      ],
      settings: { maxBodyBytes: 4096 },
    })
    const response = await fetch(modelmux.url + path, { method: 'POST', ...init(modelmux.url) })
    expect(response.status).toBe(status)
    expect(messageOf(format, await response.json())).toMatch(mentions)
    expect(upstream.received).toHaveLength(0)
    const models = await fetch(`${modelmux.url}/v1/models`)
    expect(models.status).toBe(200)
  })

  test('an oversized body without content-length is refused while reading', async () => {
    await using modelmux = await startTestServer({ settings: { maxBodyBytes: 2048 } })
    const chunk = new TextEncoder().encode('x'.repeat(1024))
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 64) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const response = await fetch(modelmux.url + path, { method: 'POST', body, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(413)
    expect(messageOf(format, await response.json())).toMatch(/2048-byte limit/)
  })
})

test('unknown /v1 routes answer 404 in OpenAI format', async () => {
  await using modelmux = await startTestServer()
  const response = await fetch(`${modelmux.url}/v1/nothing-here`)
  expect(response.status).toBe(404)
  expect(messageOf('openai', await response.json())).toMatch(/no route GET \/v1\/nothing-here/)
})
