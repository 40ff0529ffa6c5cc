import { describe, expect, test } from 'bun:test'
import { readBody, readChunks } from '../helpers/recorded'
import { postJson, startUpstreamPair } from '../helpers/upstream-pair'

const fixtureText = (JSON.parse(readBody('openai-chat/openai-text.json')) as { choices: { message: { content: string } }[] }).choices[0].message.content
const chunks = readChunks('openai-chat/openai-text.chunks.txt')
const streamedText = chunks.map((line) => (JSON.parse(line) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '').join('')

function start() {
  return startUpstreamPair((url) => ({ connections: [{ name: 'oa', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${url}/v1`, apiKey: 'sk-up' }] }))
}

describe('Ollama /api/generate', () => {
  test('a prompt (with a system text) goes through the router as a chat turn and comes back in the generate shape', async () => {
    await using pair = await start()
    pair.upstream.reply({ parts: [readBody('openai-chat/openai-text.json')] })
    const response = await postJson(`${pair.modelmux.url}/api/generate`, { model: 'oa/gpt-4.1', prompt: 'Invent a holiday', system: 'Be brief', stream: false, options: { temperature: 0.2 } })
    expect(response.status).toBe(200)
    const body = await response.json()
    expect(body).toMatchObject({ model: 'oa/gpt-4.1', response: fixtureText, done: true, done_reason: 'stop' })
    expect(body.message).toBeUndefined()
    expect(body.eval_count).toBeGreaterThan(0)
    const sent = JSON.parse(pair.upstream.received[0].body)
    expect(sent.messages).toEqual([{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Invent a holiday' }])
    expect(sent.temperature).toBe(0.2)
    await pair.modelmux.server.context.usage.flush()
    expect(pair.modelmux.server.context.db.query('SELECT inbound_format, model, status FROM usage_events').all()).toEqual([{ inbound_format: 'ollama', model: 'oa/gpt-4.1', status: 200 }])
  })

  test('streamed by default: one NDJSON line per piece, the last one done with its counts', async () => {
    await using pair = await start()
    pair.upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: [...chunks.map((line) => `data: ${line}\n\n`), 'data: [DONE]\n\n'] })
    const response = await postJson(`${pair.modelmux.url}/api/generate`, { model: 'oa/gpt-4.1', prompt: 'Invent a holiday' })
    expect(response.status).toBe(200)
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line))
    expect(lines.map((line) => line.response).join('')).toBe(streamedText)
    expect(lines.every((line) => line.message === undefined)).toBe(true)
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop' })
    expect(lines.slice(0, -1).every((line) => line.done === false)).toBe(true)
  })

  test('fill-in-the-middle and a missing prompt are refused in the Ollama error shape, and nothing is sent', async () => {
    await using pair = await start()
    const suffix = await postJson(`${pair.modelmux.url}/api/generate`, { model: 'oa/gpt-4.1', prompt: 'def add(a, b):', suffix: '\n\nprint(add(1, 2))' })
    expect(suffix.status).toBe(400)
    expect((await suffix.json()).error).toContain('suffix (fill-in-the-middle) is not supported through modelmux')
    const missing = await postJson(`${pair.modelmux.url}/api/generate`, { model: 'oa/gpt-4.1' })
    expect([missing.status, (await missing.json()).error]).toEqual([400, 'prompt: a string is required'])
    const unknown = await postJson(`${pair.modelmux.url}/api/generate`, { model: 'nope/x', prompt: 'hi' })
    expect(unknown.status).toBe(404)
    expect(typeof (await unknown.json()).error).toBe('string')
    expect(pair.upstream.received).toHaveLength(0)
  })
})
