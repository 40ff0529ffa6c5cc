import { describe, expect, test } from 'bun:test'
import { readChunks, toSse } from '../helpers/recorded'
import { startUpstreamPair, postJson } from '../helpers/upstream-pair'
import { keptForCarryOn } from '../../src/services/passthrough'

/** One same-format stream relayed byte for byte: how a client asks for it and what the upstream sends. */
interface RelayCase {
  name: string
  path: string
  body: Record<string, unknown>
  headers?: Record<string, string>
  /** The upstream's stream, event by event; its end (what a cut loses) is the last ones. */
  parts: string[]
  /** How many of `parts` a stream cut short still sends (it then ends cleanly, as a dropped proxy hop may). */
  keep: number
  contentType: string
}

const ollamaLine = (fields: Record<string, unknown>) => `${JSON.stringify({ model: 'llama3', created_at: '2026-11-25T12:00:00Z', ...fields })}\n`
const question = [{ role: 'user', content: 'hi' }]

const cases: RelayCase[] = [
  {
    name: 'OpenAI Chat',
    path: '/v1/chat/completions',
    body: { model: 'oa/gpt-4.1', stream: true, messages: question },
    parts: toSse(readChunks('openai-chat/openai-text.chunks.txt'), 'openai'),
    keep: 20,
    contentType: 'text/event-stream',
  },
  {
    name: 'Anthropic Messages',
    path: '/v1/messages',
    body: { model: 'an/claude', stream: true, max_tokens: 100, messages: question },
    headers: { 'anthropic-version': '2023-06-01' },
    parts: toSse(readChunks('anthropic/anthropic-text.chunks.txt'), 'anthropic'),
    keep: 5,
    contentType: 'text/event-stream',
  },
  {
    name: 'OpenAI Responses (Codex CLI)',
    path: '/v1/responses',
    body: { model: 'rs/gpt-5', stream: true, input: 'hi' },
    parts: toSse(readChunks('openai-responses/openai-phase.1.chunks.txt'), 'anthropic'),
    keep: 9,
    contentType: 'text/event-stream',
  },
  {
    name: 'Gemini',
    path: '/v1beta/models/gm/gemini-2.5-pro:streamGenerateContent?alt=sse',
    body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
    parts: readChunks('gemini/google-text.chunks.txt').map((line) => `data: ${line}\r\n\r\n`),
    keep: 2,
    contentType: 'text/event-stream',
  },
  {
    name: 'Ollama',
    path: '/api/chat',
    body: { model: 'ol/llama3', messages: question },
    parts: [
      ollamaLine({ message: { role: 'assistant', content: 'Hel' }, done: false }),
      ollamaLine({ message: { role: 'assistant', content: 'lo' }, done: false }),
      ollamaLine({ message: { role: 'assistant', content: '' }, done_reason: 'stop', done: true, prompt_eval_count: 5, eval_count: 2 }),
    ],
    keep: 2,
    contentType: 'application/x-ndjson',
  },
]

const setup = (carryOn: boolean) =>
  startUpstreamPair((url) => ({
    connections: [
      { name: 'oa', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${url}/v1`, apiKey: 'k' },
      { name: 'an', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${url}/v1`, apiKey: 'k' },
      { name: 'rs', provider: 'responses-compatible', prefix: 'rs', baseUrl: `${url}/v1`, apiKey: 'k' },
      { name: 'gm', provider: 'gemini-compatible', prefix: 'gm', baseUrl: `${url}/v1beta`, apiKey: 'k' },
      { name: 'ol', provider: 'ollama', prefix: 'ol', baseUrl: url },
    ],
    settings: { routing: { carryOn } },
  }))

const TRUNCATED = 'upstream stream ended before the message finished'
// Carried on and cut again, a stream ends with its last break, which a format's decoder may word its own way
// (Ollama's: "…before the done line", Responses': "…before response.completed").
const CUT_AGAIN = 'upstream stream ended before'

describe('a relayed stream whose body ends before its answer did is reported, never passed off as complete', () => {
  for (const carryOn of [true, false]) {
    for (const relay of cases) {
      test(`${relay.name}, carrying on ${carryOn ? 'on (nobody to carry it)' : 'off'}`, async () => {
        await using env = await setup(carryOn)
        const headers = { 'content-type': relay.contentType }
        // The whole stream goes through with nothing added (asked first: carrying on retries the cut one's account).
        env.upstream.reply({ headers, parts: relay.parts })
        const whole = await (await postJson(`${env.modelmux.url}${relay.path}`, relay.body, relay.headers)).text()
        expect(whole).not.toContain(TRUNCATED)
        expect(whole.trimEnd().endsWith(relay.parts.at(-1)!.trim().slice(-20))).toBe(true)

        env.upstream.reply({ headers, parts: relay.parts.slice(0, relay.keep) })
        const cutShort = await postJson(`${env.modelmux.url}${relay.path}`, relay.body, relay.headers)
        expect(cutShort.status).toBe(200)
        const received = await cutShort.text()
        // What did arrive reaches the client, then the format's own in-band error.
        const lastKept = relay.parts[relay.keep - 1].trim().slice(-30)
        const reported = carryOn ? CUT_AGAIN : TRUNCATED
        expect(received).toContain(lastKept)
        expect(received.indexOf(reported)).toBeGreaterThan(received.indexOf(lastKept))
        await env.modelmux.server.context.usage.flush()
        const rows = env.modelmux.server.context.db.query('SELECT status, error FROM usage_events ORDER BY id').all() as { status: number; error: string | null }[]
        expect(rows.map((row) => row.status)).toEqual([200, 502])
        expect(rows[1].error).toContain(reported)
      })
    }
  }
})

test('a stream too long to keep for carrying on (over 2 MB) is still checked for its end', async () => {
  await using env = await setup(true)
  const chunk = (content: string) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`
  const parts = Array.from({ length: 2600 }, (_, index) => chunk(`${'x'.repeat(1000)} ${index}`))
  env.upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts })
  const received = await (await postJson(`${env.modelmux.url}/v1/chat/completions`, { model: 'oa/gpt', stream: true, messages: question })).text()
  expect(received.length).toBeGreaterThan(2.5 * 1024 * 1024)
  expect(received).toContain(' 2599"')
  expect(received.trimEnd()).toEndWith(`${TRUNCATED}","type":"api_error","param":null,"code":null}}`)
})

test('what relayed streams keep for carrying on is given back however they end: finished, cut, or left by the client', async () => {
  await using env = await setup(true)
  const before = keptForCarryOn()
  const chat = cases[0]
  const headers = { 'content-type': chat.contentType }
  // A client that leaves while the upstream is still sending.
  const gate = Promise.withResolvers<void>()
  env.upstream.reply({ headers, parts: [...chat.parts.slice(0, 10), { pause: gate.promise }, ...chat.parts.slice(10)] })
  const leaving = new AbortController()
  const response = await fetch(`${env.modelmux.url}${chat.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat.body), signal: leaving.signal })
  const reader = response.body!.getReader()
  await reader.read()
  expect(keptForCarryOn()).toBeGreaterThan(before)
  leaving.abort()
  await env.upstream.cancelled
  gate.resolve()
  for (let waited = 0; waited < 50 && keptForCarryOn() !== before; waited++) await Bun.sleep(10)
  expect(keptForCarryOn()).toBe(before)
  // Finished, then cut (carrying on then asks the same account again, which cuts it again).
  env.upstream.reply({ headers, parts: chat.parts })
  await (await postJson(`${env.modelmux.url}${chat.path}`, chat.body)).text()
  env.upstream.reply({ headers, parts: chat.parts.slice(0, chat.keep) })
  await (await postJson(`${env.modelmux.url}${chat.path}`, chat.body)).text()
  expect(keptForCarryOn()).toBe(before)
})
