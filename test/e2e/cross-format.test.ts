import { describe, expect, test } from 'bun:test'
import { readBody, readChunks, toSse } from '../helpers/recorded'
import { checkAnthropicStream } from '../helpers/anthropic-invariants'
import { startUpstreamPair, postJson, parseSse } from '../helpers/upstream-pair'

const setup = () =>
  startUpstreamPair((url) => ({
    connections: [
      { name: 'openai-up', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${url}/v1`, apiKey: 'sk-oa' },
      { name: 'anthropic-up', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${url}/v1`, apiKey: 'sk-an' },
    ],
  }))

const post = postJson


describe('cross-format through the server', () => {
  test('OpenAI client, Anthropic upstream, streaming text', async () => {
    await using env = await setup()
    env.upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: toSse(readChunks('anthropic/anthropic-text.chunks.txt'), 'anthropic') })
    const response = await post(`${env.modelmux.url}/v1/chat/completions`, {
      model: 'an/claude-sonnet-4-6',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }],
    })
    expect(response.status).toBe(200)
    const sent = JSON.parse(env.upstream.received[0].body)
    expect(env.upstream.received[0].path).toBe('/v1/messages')
    expect(sent).toMatchObject({ model: 'claude-sonnet-4-6', stream: true, system: 'be brief' })
    expect(sent.max_tokens).toBeGreaterThan(0)
    const events = parseSse(await response.text())
    expect(events.at(-1)!.data).toBe('[DONE]')
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data))
    const text = chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('')
    const expected = readChunks('anthropic/anthropic-text.chunks.txt').map((line) => JSON.parse(line)).filter((e) => e.delta?.type === 'text_delta').map((e) => e.delta.text).join('')
    expect(text).toBe(expected)
    expect(chunks.every((chunk) => chunk.model === 'an/claude-sonnet-4-6')).toBe(true)
    expect(chunks.some((chunk) => chunk.choices?.[0]?.finish_reason === 'stop')).toBe(true)
    expect(chunks.at(-1).usage.prompt_tokens).toBeGreaterThan(0)
  })

  test('Anthropic client, OpenAI upstream, streaming tool call obeys Claude Code invariants', async () => {
    await using env = await setup()
    env.upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: toSse(readChunks('groq/groq-tool-call.chunks.txt'), 'openai') })
    const response = await post(`${env.modelmux.url}/v1/messages`, {
      model: 'oa/llama',
      max_tokens: 200,
      stream: true,
      tools: [{ name: 'weather', description: 'weather', input_schema: { type: 'object', properties: { location: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'weather in Paris?' }],
    })
    expect(response.status).toBe(200)
    const sent = JSON.parse(env.upstream.received[0].body)
    expect(sent.tools[0]).toMatchObject({ type: 'function', function: { name: 'weather' } })
    const events = parseSse(await response.text())
    const payloads = events.map((event) => ({ event: event.event, payload: JSON.parse(event.data) }))
    checkAnthropicStream(payloads.map((p) => p.payload))
    for (const { event, payload } of payloads) expect(event).toBe(payload.type)
    const delta = payloads.find((p) => p.payload.type === 'message_delta')!.payload
    expect(delta.delta.stop_reason).toBe('tool_use')
    const toolStart = payloads.find((p) => p.payload.content_block?.type === 'tool_use')!.payload
    expect(toolStart.content_block.name).toBeTruthy()
  })

  test('non-stream both ways come back as the caller\'s format', async () => {
    await using env = await setup()
    env.upstream.reply({ parts: [readBody('anthropic/anthropic-text.json')] })
    const openai = await (await post(`${env.modelmux.url}/v1/chat/completions`, { model: 'an/claude-x', messages: [{ role: 'user', content: 'hi' }] })).json()
    expect(openai.object).toBe('chat.completion')
    expect(openai.model).toBe('an/claude-x')
    expect(openai.choices[0].message.content).toBe(JSON.parse(readBody('anthropic/anthropic-text.json')).content[0].text)

    env.upstream.reply({ parts: [readBody('openai-chat/openai-text.json')] })
    const anthropic = await (await post(`${env.modelmux.url}/v1/messages`, { model: 'oa/gpt', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] })).json()
    expect(anthropic.type).toBe('message')
    expect(anthropic.model).toBe('oa/gpt')
    expect(anthropic.content[0]).toEqual({ type: 'text', text: JSON.parse(readBody('openai-chat/openai-text.json')).choices[0].message.content })
    expect(anthropic.usage.input_tokens).toBeGreaterThan(0)
  })

  test('a non-stream request answered with a stream gets a proper non-stream body', async () => {
    await using env = await setup()
    env.upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: toSse(readChunks('anthropic/anthropic-text.chunks.txt'), 'anthropic') })
    const passthrough = await post(`${env.modelmux.url}/v1/messages`, { model: 'an/claude-x', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] })
    expect(passthrough.headers.get('content-type')).toContain('application/json')
    const body = await passthrough.json()
    expect(body).toMatchObject({ type: 'message', role: 'assistant', model: 'an/claude-x' })
    expect(body.content[0].type).toBe('text')
  })

  test('upstream errors keep status and message, in the caller\'s format', async () => {
    await using env = await setup()
    env.upstream.reply({ status: 400, parts: ['{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too large"}}'] })
    const response = await post(`${env.modelmux.url}/v1/chat/completions`, { model: 'an/claude-x', messages: [{ role: 'user', content: 'hi' }] })
    expect(response.status).toBe(400)
    const body = await response.json()
    expect(body.error.message).toBe('anthropic-up: max_tokens: too large')
    expect(body.error.type).toBe('invalid_request_error')
  })
})
