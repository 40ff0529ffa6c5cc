import { describe, expect, test } from 'bun:test'
import { checkResponsesStream } from '../helpers/responses-invariants'
import { readBody, readChunks, toSse } from '../helpers/recorded'
import { startUpstreamPair, postJson, parseSse } from '../helpers/upstream-pair'

const setup = () =>
  startUpstreamPair((url) => ({
    connections: [
      { name: 'claude', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${url}/v1`, apiKey: 'sk-an' },
      { name: 'resp', provider: 'responses-compatible', prefix: 'rs', baseUrl: `${url}/v1`, apiKey: 'sk-rs' },
      { name: 'oa', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${url}/v1`, apiKey: 'sk-oa' },
    ],
  }))

const post = postJson


describe('Responses clients (Codex CLI, openai SDK)', () => {
  test('streaming from an Anthropic upstream satisfies the SDK stream rules, with usage and output in response.completed', async () => {
    await using env = await setup()
    env.upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: toSse(readChunks('anthropic/anthropic-text.chunks.txt'), 'anthropic') })
    const response = await post(`${env.modelmux.url}/v1/responses`, { model: 'an/claude-sonnet-4-6', stream: true, instructions: 'be brief', input: 'hi' })
    expect(response.status).toBe(200)
    const sent = JSON.parse(env.upstream.received[0].body)
    expect(sent).toMatchObject({ model: 'claude-sonnet-4-6', system: expect.anything(), messages: [{ role: 'user' }] })
    const events = parseSse(await response.text())
    expect(checkResponsesStream(events)).toEqual([])
    const completed = JSON.parse(events.at(-1)!.data)
    expect(completed.type).toBe('response.completed')
    expect(completed.response.model).toBe('an/claude-sonnet-4-6')
    expect(completed.response.usage.input_tokens).toBeGreaterThan(0)
    expect(completed.response.output[0].type).toBe('message')
  })

  test('Responses passthrough keeps previous_response_id; another format refuses it clearly', async () => {
    await using env = await setup()
    env.upstream.reply({ parts: [readBody('openai-responses/openai-custom-tool.1.json')] })
    const same = await post(`${env.modelmux.url}/v1/responses`, { model: 'rs/gpt-5', previous_response_id: 'resp_123', input: 'go on' })
    expect(same.status).toBe(200)
    expect(JSON.parse(env.upstream.received[0].body).previous_response_id).toBe('resp_123')
    const other = await post(`${env.modelmux.url}/v1/responses`, { model: 'an/claude-x', previous_response_id: 'resp_123', input: 'go on' })
    expect(other.status).toBe(400)
    const body = await other.json()
    expect(body.error.param).toBe('previous_response_id')
    expect(env.upstream.received).toHaveLength(1)
  })
})

describe('Ollama clients', () => {
  test('/api/chat streams NDJSON by default, from an OpenAI upstream; /api/tags lists models', async () => {
    await using env = await setup()
    env.upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: toSse(readChunks('openai-chat/openai-text.chunks.txt'), 'openai') })
    const response = await post(`${env.modelmux.url}/api/chat`, { model: 'oa/gpt-4o:latest', messages: [{ role: 'user', content: 'hi' }] })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('ndjson')
    expect(JSON.parse(env.upstream.received[0].body)).toMatchObject({ model: 'gpt-4o', stream: true })
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line))
    expect(lines.at(-1).done).toBe(true)
    const text = lines.map((line) => line.message?.content ?? '').join('')
    const expected = readChunks('openai-chat/openai-text.chunks.txt').map((l) => JSON.parse(l).choices?.[0]?.delta?.content ?? '').join('')
    expect(text).toBe(expected)
    const tags = await (await fetch(`${env.modelmux.url}/api/tags`)).json()
    expect(Array.isArray(tags.models)).toBe(true)
  })

  test('stream:false gives one JSON object', async () => {
    await using env = await setup()
    env.upstream.reply({ parts: [readBody('openai-chat/openai-text.json')] })
    const response = await post(`${env.modelmux.url}/v1/api/chat`, { model: 'oa/gpt-4o', stream: false, messages: [{ role: 'user', content: 'hi' }] })
    const json = await response.json()
    expect(json).toMatchObject({ model: 'oa/gpt-4o', done: true, message: { role: 'assistant' } })
  })
})
