import { describe, expect, test } from 'bun:test'
import { anthropicParts, carriedText, cut, firstPart, goesOn, health, lastMessage, refused, sse, timeouts } from '../helpers/carry-on-streams'
import { startFakeUpstream, type FakeReply } from '../helpers/fake-upstream'
import { startTestServer } from '../helpers/test-server'
import { parseSse } from '../helpers/upstream-pair'

/** One Gemini SSE chunk of text (as `streamGenerateContent?alt=sse` sends it); `finish` makes it the last. */
function geminiChunk(text: string, finish?: string): string {
  const candidate: Record<string, unknown> = { content: { parts: [{ text }], role: 'model' }, index: 0 }
  if (finish) candidate.finishReason = finish
  const usage = finish ? { usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 5, totalTokenCount: 12 } } : {}
  return `data: ${JSON.stringify({ candidates: [candidate], ...usage, modelVersion: 'gemini-up', responseId: 'resp-up' })}\r\n\r\n`
}

/** One Ollama `/api/chat` NDJSON line. */
const ollamaLine = (fields: Record<string, unknown>) => `${JSON.stringify({ model: 'llama-up', created_at: '2026-11-25T12:00:00Z', ...fields })}\n`
const ollamaText = (content: string) => ollamaLine({ message: { role: 'assistant', content }, done: false })

const geminiSse = { 'content-type': 'text/event-stream' }
const ndjson = { 'content-type': 'application/x-ndjson' }

async function setup() {
  const gemini = startFakeUpstream()
  const ollama = startFakeUpstream()
  const claude = startFakeUpstream()
  const modelmux = await startTestServer(
    {
      connections: [
        { name: 'gemini', provider: 'gemini-compatible', prefix: 'gm', baseUrl: `${gemini.url}/v1beta`, apiKey: 'k1' },
        { name: 'ollama', provider: 'ollama', prefix: 'ol', baseUrl: ollama.url },
        { name: 'claude', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${claude.url}/v1`, apiKey: 'k2' },
      ],
      combos: [
        { name: 'gemini-first', models: ['gm/gemini-2.5-pro', 'an/claude'] },
        { name: 'ollama-first', models: ['ol/llama3', 'an/claude'] },
        { name: 'local-last', models: ['gm/gemini-2.5-pro', 'ol/llama3'] },
      ],
      settings: { timeouts },
    },
    {},
    { health },
  )
  const post = (path: string, body: Record<string, unknown>) => fetch(`${modelmux.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return {
    gemini,
    ollama,
    claude,
    modelmux,
    /** The first upstream answers `parts` once; any later request to it (a restart) is refused. */
    breaks(upstream: ReturnType<typeof startFakeUpstream>, parts: FakeReply['parts'], headers: Record<string, string>) {
      upstream.reply((request) => (upstream.received.indexOf(request) === 0 ? { headers, parts } : refused))
    },
    askGemini: (generationConfig?: Record<string, unknown>, model = 'gemini-first') =>
      post(`/v1beta/models/${model}:streamGenerateContent?alt=sse`, { contents: [{ role: 'user', parts: [{ text: 'Invent a holiday.' }] }], ...(generationConfig && { generationConfig }) }),
    askOllama: (extra: Record<string, unknown> = {}) => post('/api/chat', { model: 'ollama-first', messages: [{ role: 'user', content: 'Invent a holiday.' }], ...extra }),
    rows: async () => {
      await modelmux.server.context.usage.flush()
      return modelmux.server.context.db.query('SELECT * FROM usage_events ORDER BY id').all() as Record<string, any>[]
    },
    connectionId: (name: string) => modelmux.server.context.registry.connections.find((c) => c.connection.name === name)!.connection.id,
    async [Symbol.asyncDispose]() {
      await modelmux[Symbol.asyncDispose]()
      for (const server of [gemini, ollama, claude]) await server[Symbol.asyncDispose]()
    },
  }
}

/** The text, the chunks and any error of a Gemini stream the client received. */
function readGemini(text: string) {
  const chunks = parseSse(text.replaceAll('\r\n', '\n')).map((event) => JSON.parse(event.data))
  const parts = chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? [])
  return { chunks, text: parts.map((part: { text?: string }) => part.text ?? '').join(''), error: chunks.find((chunk) => chunk.error)?.error }
}

/** The text, the lines and any error of an Ollama stream the client received. */
function readOllama(text: string) {
  const lines = text.split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line))
  return { lines, text: lines.map((line) => line.message?.content ?? '').join(''), error: lines.find((line) => line.error)?.error }
}

describe('a relayed Gemini or Ollama stream that breaks after output began is carried on', () => {
  test('a Gemini answer cut mid-stream goes on through the next model, from the text already sent, as one Gemini stream', async () => {
    await using env = await setup()
    env.breaks(env.gemini, [...firstPart.map((text) => geminiChunk(text)), ...cut], geminiSse)
    env.claude.reply(goesOn)
    const response = await env.askGemini()
    expect(response.status).toBe(200)
    const answer = readGemini(await response.text())
    expect(answer.error).toBeUndefined()
    expect(answer.text).toBe(carriedText)
    expect(answer.chunks.at(-1).candidates[0].finishReason).toBe('STOP')
    // The rebuilt stream keeps the upstream's response id and names the model that was asked for.
    expect(new Set(answer.chunks.map((chunk) => chunk.responseId))).toEqual(new Set(['resp-up']))
    expect(new Set(answer.chunks.map((chunk) => chunk.modelVersion))).toEqual(new Set(['gm/gemini-2.5-pro']))
    // The next model was asked to go on from the text (its trailing whitespace dropped, as Anthropic wants).
    expect(lastMessage(env.claude.received[0])).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'The holiday is called Lantern Day.' }] })
    const [usage] = await env.rows()
    expect(usage).toMatchObject({ status: 200, connection_id: env.connectionId('claude'), error: null })
  })

  test('an in-band Gemini error after output began is held back from the client and the answer carried on', async () => {
    await using env = await setup()
    const error = 'data: {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}\r\n\r\n'
    env.breaks(env.gemini, [...firstPart.map((text) => geminiChunk(text)), error], geminiSse)
    env.claude.reply(goesOn)
    const received = await (await env.askGemini()).text()
    expect(received).not.toContain('overloaded')
    expect(readGemini(received).text).toBe(carriedText)
  })

  test('with no other model to carry it, the client gets what arrived and then the in-band error', async () => {
    await using env = await setup()
    env.breaks(env.gemini, [...firstPart.map((text) => geminiChunk(text)), ...cut], geminiSse)
    env.claude.reply(refused)
    const answer = readGemini(await (await env.askGemini()).text())
    expect(answer.text).toBe(firstPart.join(''))
    expect(answer.error).toMatchObject({ code: 502 })
    expect((await env.rows())[0]).toMatchObject({ status: 502 })
  })

  test('a request for several answers at once (candidateCount) is not carried on: only one answer could be', async () => {
    await using env = await setup()
    env.breaks(env.gemini, [...firstPart.map((text) => geminiChunk(text)), ...cut], geminiSse)
    env.claude.reply(goesOn)
    const answer = readGemini(await (await env.askGemini({ candidateCount: 2 })).text())
    expect(answer.text).toBe(firstPart.join(''))
    expect(answer.error).toMatchObject({ code: 502 })
    expect(env.claude.received).toHaveLength(0)
  })

  test('an Ollama answer cut mid-stream goes on through the next model as one NDJSON stream', async () => {
    await using env = await setup()
    env.breaks(env.ollama, [...firstPart.map(ollamaText), ...cut], ndjson)
    env.claude.reply(goesOn)
    const response = await env.askOllama()
    expect(response.status).toBe(200)
    const answer = readOllama(await response.text())
    expect(answer.error).toBeUndefined()
    expect(answer.text).toBe(carriedText)
    expect(answer.lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop' })
    expect(new Set(answer.lines.map((line) => line.model))).toEqual(new Set(['ol/llama3']))
    expect(lastMessage(env.claude.received[0])).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'The holiday is called Lantern Day.' }] })
  })

  test('an Ollama model carries an answer on from its text (a prefill): its reply is only what it adds', async () => {
    await using env = await setup()
    env.breaks(env.gemini, [...firstPart.map((text) => geminiChunk(text)), ...cut], geminiSse)
    env.ollama.reply({ headers: ndjson, parts: [ollamaText('\n\nFamilies hang '), ollamaText('lanterns.'), ollamaLine({ message: { role: 'assistant', content: '' }, done_reason: 'stop', done: true, prompt_eval_count: 30, eval_count: 4 })] })
    const answer = readGemini(await (await env.askGemini(undefined, 'local-last')).text())
    expect(answer.error).toBeUndefined()
    expect(answer.text).toBe(carriedText)
    expect(env.ollama.received).toHaveLength(1)
    expect(lastMessage(env.ollama.received[0])).toEqual({ role: 'assistant', content: 'The holiday is called Lantern Day.' })
  })

  test('an answer held to a JSON shape is carried on by asking again, never from its text (a second object would follow)', async () => {
    await using env = await setup()
    env.breaks(env.ollama, [...firstPart.map(ollamaText), ...cut], ndjson)
    // Asked again, it repeats what the client has (skipped) and goes on.
    env.claude.reply({ headers: sse, parts: anthropicParts([...firstPart, 'Families hang ', 'lanterns.']) })
    const answer = readOllama(await (await env.askOllama({ format: 'json' })).text())
    expect(answer.error).toBeUndefined()
    expect(answer.text).toBe(carriedText)
    expect(lastMessage(env.claude.received[0]).role).toBe('user')
  })

  test('an Ollama error line after output began is held back and the answer carried on', async () => {
    await using env = await setup()
    env.breaks(env.ollama, [...firstPart.map(ollamaText), '{"error":"model runner has unexpectedly stopped"}\n'], ndjson)
    env.claude.reply(goesOn)
    const received = await (await env.askOllama()).text()
    expect(received).not.toContain('unexpectedly stopped')
    expect(readOllama(received).text).toBe(carriedText)
  })
})
