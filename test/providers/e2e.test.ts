/**
 * Providers driven through the real server: a client request to modelmux, a connection whose `baseUrl` points
 * at a local fake, and a check of what the fake received.
 */
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { parseConfigFile } from '../../src/config/file'
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream'
import { startTestServer } from '../helpers/test-server'
import { fakeServiceAccount } from './conformance.case'
import { startHttpProxy } from './helpers/http-proxy'

const CLIENT_KEY = 'sk-mm-e2e-client-key-0123456789'

// Until src/services/attempt.ts calls prepareUpstream (and the config accepts `options`), the tests that need it are skipped.
const wired = readFileSync(new URL('../../src/services/attempt.ts', import.meta.url), 'utf8').includes('prepareUpstream(')
const configTakesOptions = (() => {
  try {
    parseConfigFile(JSON.stringify({ connections: [{ name: 'a', provider: 'azure', baseUrl: 'http://a.test', options: { deployment: 'd' } }] }), 'probe')
    return true
  } catch {
    return false
  }
})()

const chatReply = JSON.stringify({ id: 'c1', object: 'chat.completion', model: 'upstream-model', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })
const messagesReply = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'upstream-model', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } })

async function serve(fake: FakeUpstream, connections: unknown[]) {
  fake.reply((request) => (request.path === '/token' ? { parts: [JSON.stringify({ access_token: 'ya29.e2e', expires_in: 3600 })] } : { parts: [request.path.endsWith('/messages') ? messagesReply : chatReply] }))
  return startTestServer({ connections, apiKeys: [{ name: 'laptop', key: CLIENT_KEY }], settings: { requireApiKey: true } })
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, ...headers }, body: JSON.stringify(body) })
const chat = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra })

describe('providers through the server', () => {
  test('OpenRouter: API base, app headers, Bearer key, model without the prefix; the client key stays home', async () => {
    await using fake = startFakeUpstream()
    await using modelmux = await serve(fake, [{ name: 'or', provider: 'openrouter', baseUrl: `${fake.url}/api/v1`, apiKey: 'sk-or-secret' }])
    const response = await post(`${modelmux.url}/v1/chat/completions`, chat('or/anthropic/claude-sonnet-4.5'))
    expect(response.status).toBe(200)
    const received = fake.received[0]
    expect(received.path).toBe('/api/v1/chat/completions')
    expect(received.headers).toMatchObject({ authorization: 'Bearer sk-or-secret', 'http-referer': 'https://github.com/modelmux/modelmux', 'x-title': 'modelmux' })
    expect(JSON.parse(received.body).model).toBe('anthropic/claude-sonnet-4.5')
    expect(JSON.stringify(received)).not.toContain(CLIENT_KEY)
  })

  test('GLM (z.ai Anthropic endpoint): Claude Code style call passes through with x-api-key', async () => {
    await using fake = startFakeUpstream()
    await using modelmux = await serve(fake, [{ name: 'zai', provider: 'glm', baseUrl: `${fake.url}/api/anthropic/v1`, apiKey: 'zai-secret' }])
    const response = await post(`${modelmux.url}/v1/messages`, { model: 'glm/glm-4.7', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01', 'x-api-key': CLIENT_KEY })
    expect(response.status).toBe(200)
    const received = fake.received[0]
    expect(received.path).toBe('/api/anthropic/v1/messages')
    expect(received.headers['x-api-key']).toBe('zai-secret')
    expect(received.headers['anthropic-version']).toBe('2023-06-01')
    expect(received.headers.authorization).toBeUndefined()
    expect(JSON.stringify(received)).not.toContain(CLIENT_KEY)
  })

  test('Groq from an Anthropic client (translated) and DeepSeek by its short alias', async () => {
    await using fake = startFakeUpstream()
    await using modelmux = await serve(fake, [
      { name: 'groq', provider: 'groq', baseUrl: `${fake.url}/openai/v1`, apiKey: 'gsk-secret' },
      { name: 'ds', provider: 'deepseek', baseUrl: `${fake.url}/ds/v1`, apiKey: 'ds-secret' },
    ])
    expect((await post(`${modelmux.url}/v1/messages`, { model: 'groq/llama-3.3-70b-versatile', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200)
    expect((await post(`${modelmux.url}/v1/chat/completions`, chat('ds/deepseek-chat'))).status).toBe(200)
    expect(fake.received.map((r) => [r.path, r.headers.authorization, JSON.parse(r.body).model])).toEqual([
      ['/openai/v1/chat/completions', 'Bearer gsk-secret', 'llama-3.3-70b-versatile'],
      ['/ds/v1/chat/completions', 'Bearer ds-secret', 'deepseek-chat'],
    ])
  })
})

describe.skipIf(!wired)('provider quirks through the server (needs prepareUpstream in attempt.ts)', () => {
  test('Mistral: seed renamed, OpenAI-only fields dropped', async () => {
    await using fake = startFakeUpstream()
    await using modelmux = await serve(fake, [{ name: 'mistral', provider: 'mistral', baseUrl: `${fake.url}/v1`, apiKey: 'm-secret' }])
    await post(`${modelmux.url}/v1/chat/completions`, chat('mistral/codestral-latest', { seed: 7, user: 'u1', store: true, temperature: 0.2 }))
    expect(JSON.parse(fake.received[0].body)).toEqual({ model: 'codestral-latest', messages: [{ role: 'user', content: 'hi' }], random_seed: 7, temperature: 0.2 })
  })

  test('OpenAI gpt-5: max_tokens becomes max_completion_tokens, same format and translated', async () => {
    await using fake = startFakeUpstream()
    await using modelmux = await serve(fake, [{ name: 'oa', provider: 'openai', baseUrl: `${fake.url}/v1`, apiKey: 'sk-oa' }])
    await post(`${modelmux.url}/v1/chat/completions`, chat('openai/gpt-5.1', { max_tokens: 50, temperature: 0.5 }))
    await post(`${modelmux.url}/v1/messages`, { model: 'oai/gpt-5.1', max_tokens: 60, messages: [{ role: 'user', content: 'hi' }] })
    const [passthrough, translated] = fake.received.map((r) => JSON.parse(r.body))
    expect(passthrough).toEqual({ model: 'gpt-5.1', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 50 })
    expect({ field: translated.max_completion_tokens, old: translated.max_tokens }).toEqual({ field: 60, old: undefined })
  })

  test('Vertex partner models: service-account key → token → OpenAI endpoint under the project', async () => {
    await using fake = startFakeUpstream()
    const apiKey = fakeServiceAccount(`${fake.url}/token`, 'proj-e2e')
    await using modelmux = await serve(fake, [{ name: 'vxp', provider: 'vertex-partner', baseUrl: `${fake.url}/v1`, apiKey }])
    expect((await post(`${modelmux.url}/v1/chat/completions`, chat('vxp/deepseek-ai/deepseek-v3.1-maas'))).status).toBe(200)
    const [token, call] = fake.received
    expect(token.path).toBe('/token')
    expect(call.path).toBe('/v1/projects/proj-e2e/locations/global/endpoints/openapi/chat/completions')
    expect(call.headers.authorization).toBe('Bearer ya29.e2e')
    expect(JSON.stringify(call)).not.toContain('PRIVATE KEY')
  })
})

describe.skipIf(!wired || !configTakesOptions)('connection options through the server (needs `options` in the config schema)', () => {
  test('Azure: deployment URL with api-version and the api-key header', async () => {
    await using fake = startFakeUpstream()
    const options = { deployment: 'prod-gpt', apiVersion: '2024-10-21' }
    await using modelmux = await serve(fake, [{ name: 'az', provider: 'azure', baseUrl: fake.url, apiKey: 'az-secret', options }])
    await post(`${modelmux.url}/v1/chat/completions`, chat('azure/gpt-4.1'))
    expect(fake.received[0].path).toBe('/openai/deployments/prod-gpt/chat/completions?api-version=2024-10-21')
    expect(fake.received[0].headers['api-key']).toBe('az-secret')
  })

  test('a per-connection proxy carries calls to a host name that only the proxy can resolve', async () => {
    await using fake = startFakeUpstream()
    await using proxy = startHttpProxy({ 'llm.example.test': fake.url })
    await using modelmux = await serve(fake, [{ name: 'far', provider: 'groq', baseUrl: 'http://llm.example.test/openai/v1', apiKey: 'gsk', options: { proxy: proxy.url } }])
    expect((await post(`${modelmux.url}/v1/chat/completions`, chat('groq/llama-3.1-8b-instant'))).status).toBe(200)
    expect(proxy.seen).toEqual(['POST http://llm.example.test/openai/v1/chat/completions'])
    expect(fake.received[0].headers.authorization).toBe('Bearer gsk')
  })
})
