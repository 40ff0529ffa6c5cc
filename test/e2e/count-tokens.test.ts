import { describe, expect, test } from 'bun:test'
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base'
import { imageTokens, readImageSize } from '../../src/core/image-size'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { startTestServer } from '../helpers/test-server'

// A real 1×1 PNG and the header of a 1000×500 PNG.
const onePixelPng = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

async function setup() {
  const upstream = startFakeUpstream()
  const modelmux = await startTestServer({
    connections: [
      { name: 'claude', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-an' },
      { name: 'local', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-oa' },
      { name: 'responses', provider: 'responses-compatible', prefix: 'rs', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-rs' },
    ],
  })
  return {
    upstream,
    modelmux,
    count: (body: unknown) => fetch(`${modelmux.url}/v1/messages/count_tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    inputTokens: (body: unknown) => fetch(`${modelmux.url}/v1/responses/input_tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
    async [Symbol.asyncDispose]() {
      await modelmux[Symbol.asyncDispose]()
      await upstream[Symbol.asyncDispose]()
    },
  }
}

describe('count_tokens', () => {
  test('forwarded to an Anthropic upstream\'s own counting API', async () => {
    await using env = await setup()
    env.upstream.reply({ parts: ['{"input_tokens":4242}'] })
    const response = await env.count({ model: 'an/claude-sonnet-4-6', messages: [{ role: 'user', content: 'hello' }] })
    expect(await response.json()).toEqual({ input_tokens: 4242 })
    expect(response.headers.get('x-modelmux-token-count')).toBe('upstream')
    expect(env.upstream.received[0].path).toBe('/v1/messages/count_tokens')
    expect(JSON.parse(env.upstream.received[0].body).model).toBe('claude-sonnet-4-6')
  })

  test('counted locally with a real tokenizer when the upstream cannot count: system, messages, tools, images', async () => {
    await using env = await setup()
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20)
    const base = { model: 'oa/qwen', messages: [{ role: 'user', content: text }] }
    const plain = await (await env.count(base)).json()
    expect(plain.input_tokens).toBeGreaterThanOrEqual(countTokens(text))
    expect(plain.input_tokens).toBeLessThan(countTokens(text) + 10)
    const withSystem = await (await env.count({ ...base, system: 'You are terse.' })).json()
    expect(withSystem.input_tokens - plain.input_tokens).toBe(countTokens('You are terse.'))
    const tool = { name: 'read_file', description: 'Read a file from disk', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }
    const withTool = await (await env.count({ ...base, tools: [tool] })).json()
    expect(withTool.input_tokens).toBeGreaterThan(plain.input_tokens + 10)
    const withImage = await (await env.count({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: onePixelPng } }] }] })).json()
    expect(withImage.input_tokens - plain.input_tokens).toBe(1)
    expect(env.upstream.received).toHaveLength(0)
  })

  test('text that spells a special token (a prompt about tokenizers) is counted as the text it is', async () => {
    await using env = await setup()
    const text = 'Models end a document with <|endoftext|>; chat turns use <|im_start|> and <|im_end|>.'
    const response = await env.count({ model: 'oa/qwen', messages: [{ role: 'user', content: text }] })
    expect(response.status).toBe(200)
    expect((await response.json()).input_tokens).toBe(3 + countTokens(text, { disallowedSpecial: new Set() }))
  })

  test('bad input gets an Anthropic-format error', async () => {
    await using env = await setup()
    const response = await env.count({ messages: [] })
    expect(response.status).toBe(400)
    expect((await response.json()).type).toBe('error')
  })

  test('the model is read as the proxy reads it: trimmed, and an unknown one is a 404 that names it', async () => {
    await using env = await setup()
    const trimmed = await env.count({ model: '  oa/qwen  ', messages: [{ role: 'user', content: 'hello' }] })
    expect(trimmed.status).toBe(200)
    expect(trimmed.headers.get('x-modelmux-model')).toBe('oa/qwen')
    const unknown = await env.count({ model: 'nope/model', messages: [{ role: 'user', content: 'hello' }] })
    expect(unknown.status).toBe(404)
    const error = await unknown.json()
    expect(error.error.message).toContain('"nope/model" is not configured')
    const asked = await fetch(`${env.modelmux.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'nope/model', max_tokens: 8, messages: [{ role: 'user', content: 'hello' }] }) })
    expect((await asked.json()).error.message).toBe(error.error.message)
    const missing = await (await env.count({ model: ' ', messages: [] })).json()
    expect(missing.error.message).toContain('"model" is required')
  })
})

describe('responses input_tokens', () => {
  test('forwarded to a Responses upstream\'s own counting API, model rewritten', async () => {
    await using env = await setup()
    env.upstream.reply({ parts: ['{"object":"response.input_tokens","input_tokens":777}'] })
    const response = await env.inputTokens({ model: 'rs/gpt-5', input: 'Tell me a joke.', instructions: 'Be brief.' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ object: 'response.input_tokens', input_tokens: 777 })
    expect(response.headers.get('x-modelmux-token-count')).toBe('upstream')
    expect(response.headers.get('x-modelmux-model')).toBe('rs/gpt-5')
    expect(env.upstream.received[0].path).toBe('/v1/responses/input_tokens')
    expect(env.upstream.received[0].headers.authorization).toBe('Bearer sk-rs')
    expect(JSON.parse(env.upstream.received[0].body)).toEqual({ model: 'gpt-5', input: 'Tell me a joke.', instructions: 'Be brief.' })
  })

  test('counted locally, in the Responses answer shape, when the upstream speaks another format', async () => {
    await using env = await setup()
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20)
    const plain = await env.inputTokens({ model: 'oa/qwen', input: text })
    expect(plain.status).toBe(200)
    expect(plain.headers.get('x-modelmux-token-count')).toBe('estimated')
    const counted = await plain.json()
    expect(counted.object).toBe('response.input_tokens')
    expect(counted.input_tokens).toBeGreaterThanOrEqual(countTokens(text))
    expect(counted.input_tokens).toBeLessThan(countTokens(text) + 10)
    const items = await (await env.inputTokens({ model: 'oa/qwen', instructions: 'You are terse.', input: [{ role: 'user', content: [{ type: 'input_text', text }] }] })).json()
    expect(items.input_tokens - counted.input_tokens).toBe(countTokens('You are terse.'))
    const tool = { type: 'function', name: 'read_file', description: 'Read a file from disk', parameters: { type: 'object', properties: { path: { type: 'string' } } } }
    const withTool = await (await env.inputTokens({ model: 'oa/qwen', input: text, tools: [tool] })).json()
    expect(withTool.input_tokens).toBeGreaterThan(counted.input_tokens + 10)
    expect(env.upstream.received).toHaveLength(0)
  })

  test('an upstream that cannot count falls back to a local count; bad input is an OpenAI-format error', async () => {
    await using env = await setup()
    env.upstream.reply({ status: 404, parts: ['{"error":{"message":"no such route"}}'] })
    const fallback = await env.inputTokens({ model: 'rs/gpt-5', input: 'hello there' })
    expect(fallback.status).toBe(200)
    expect(fallback.headers.get('x-modelmux-token-count')).toBe('estimated')
    expect((await fallback.json()).input_tokens).toBeGreaterThan(0)
    const malformed = await env.inputTokens('{"model": "rs/gpt-5", ')
    expect(malformed.status).toBe(400)
    expect((await malformed.json()).error.message).toContain('not valid JSON')
    const unknown = await env.inputTokens({ model: 'nope/model', input: 'hi' })
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).error.code).toBe('model_not_found')
  })
})

test('image sizes are read from headers and priced like Anthropic does', () => {
  expect(readImageSize(Buffer.from(onePixelPng, 'base64'))).toEqual({ width: 1, height: 1 })
  expect(imageTokens({ width: 1000, height: 1000 })).toBe(1334)
  expect(imageTokens({ width: 4000, height: 3000 })).toBeLessThanOrEqual(1600)
  expect(imageTokens(undefined)).toBe(1600)
})
