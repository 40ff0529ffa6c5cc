import { describe, expect, test } from 'bun:test'
import { startTestServer } from '../helpers/test-server'

const KEY = 'sk-mm-model-list-test-key-0123456789'

const NARROW_KEY = 'sk-mm-model-list-narrow-key-0123456789'

async function setup(env: Record<string, string> = {}, settings: Record<string, unknown> = {}) {
  return startTestServer(
    {
      connections: [
        { name: 'local', provider: 'openai-compatible', prefix: 'oa', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'x', models: ['m1', 'm2', 'm3'] },
        { name: 'claude', provider: 'anthropic-compatible', prefix: 'an', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'x', models: ['claude-x'] },
      ],
      combos: [{ name: 'stack', models: ['an/claude-x', 'oa/m1'] }],
      aliases: { fast: 'oa/m2' },
      apiKeys: [{ name: 'test', key: KEY }, { name: 'narrow', key: NARROW_KEY }],
      settings,
    },
    env,
  )
}

const anthropic = { 'anthropic-version': '2023-06-01' }
// Connections list by name (claude, local), then combos, then aliases.
const allIds = ['an/claude-x', 'oa/m1', 'oa/m2', 'oa/m3', 'stack', 'fast']

describe('GET /v1/models', () => {
  test('an OpenAI client gets the OpenAI list', async () => {
    await using modelmux = await setup()
    const list = await (await fetch(`${modelmux.url}/v1/models`)).json()
    expect(list.object).toBe('list')
    expect(list.data.map((model: { id: string }) => model.id)).toEqual(allIds)
    expect(list.data[1]).toEqual({ id: 'oa/m1', object: 'model', created: expect.any(Number), owned_by: 'openai-compatible' })
    expect(list.data.find((model: { id: string }) => model.id === 'stack').owned_by).toBe('combo')
  })

  test('an Anthropic client gets the Anthropic list, and its paging walks every model once', async () => {
    await using modelmux = await setup()
    const list = await (await fetch(`${modelmux.url}/v1/models`, { headers: anthropic })).json()
    expect(list).toEqual({
      data: allIds.map((id) => ({ type: 'model', id, display_name: id, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })),
      has_more: false,
      first_id: 'an/claude-x',
      last_id: 'fast',
    })
    const walked: string[] = []
    let after: string | undefined
    for (let page = 0; page < 10; page++) {
      const query = `limit=4${after ? `&after_id=${encodeURIComponent(after)}` : ''}`
      const body = await (await fetch(`${modelmux.url}/v1/models?${query}`, { headers: anthropic })).json()
      walked.push(...body.data.map((model: { id: string }) => model.id))
      expect(body.last_id).toBe(body.data.at(-1).id)
      if (!body.has_more) break
      after = body.last_id
    }
    expect(walked).toEqual(allIds)
    const before = await (await fetch(`${modelmux.url}/v1/models?limit=2&before_id=${encodeURIComponent('oa/m3')}`, { headers: anthropic })).json()
    expect(before.data.map((model: { id: string }) => model.id)).toEqual(['oa/m1', 'oa/m2'])
    expect(before.has_more).toBe(true)
  })

  test('bad paging is a 400 in Anthropic format that names the parameter', async () => {
    await using modelmux = await setup()
    for (const [query, named] of [['limit=0', 'limit'], ['limit=1001', 'limit'], ['limit=abc', 'limit'], ['after_id=nope', 'after_id']]) {
      const response = await fetch(`${modelmux.url}/v1/models?${query}`, { headers: anthropic })
      expect(response.status).toBe(400)
      const body = await response.json()
      expect(body.type).toBe('error')
      expect(body.error.type).toBe('invalid_request_error')
      expect(body.error.message).toContain(named)
    }
  })

  test('a Google client on the v1 path gets the Gemini list', async () => {
    await using modelmux = await setup()
    const list = await (await fetch(`${modelmux.url}/v1/models`, { headers: { 'x-goog-api-key': 'anything' } })).json()
    expect(list.models.map((model: { name: string }) => model.name)).toEqual(allIds.map((id) => `models/${id}`))
  })
})

test('Claude Code\'s gateway discovery (GET /v1/models?limit=1000) gets Anthropic models with their context windows', async () => {
  await using modelmux = await startTestServer({
    connections: [{ name: 'work', provider: 'anthropic', prefix: 'cl', apiKey: 'sk-ant-x', baseUrl: 'http://127.0.0.1:9/v1', models: ['claude-sonnet-4-6', 'claude-custom-preview'] }],
  })
  const list = await (await fetch(`${modelmux.url}/v1/models?limit=1000`, { headers: { ...anthropic, 'x-api-key': 'anything' } })).json()
  expect(list.data).toEqual([
    { type: 'model', id: 'cl/claude-sonnet-4-6', display_name: 'cl/claude-sonnet-4-6', created_at: expect.any(String), max_input_tokens: 200_000 },
    { type: 'model', id: 'cl/claude-custom-preview', display_name: 'cl/claude-custom-preview', created_at: expect.any(String) },
  ])
  expect(list.has_more).toBe(false)
  const gemini = await (await fetch(`${modelmux.url}/v1beta/models/cl/claude-sonnet-4-6`)).json()
  expect(gemini.inputTokenLimit).toBe(200_000)
})

describe('GET /v1/models/{id}', () => {
  test('finds a listed model in the asking client\'s shape, its id encoded or not', async () => {
    await using modelmux = await setup()
    const encoded = await fetch(`${modelmux.url}/v1/models/${encodeURIComponent('oa/m1')}`)
    expect(encoded.status).toBe(200)
    expect(await encoded.json()).toEqual({ id: 'oa/m1', object: 'model', created: expect.any(Number), owned_by: 'openai-compatible' })
    const plain = await (await fetch(`${modelmux.url}/v1/models/stack`, { headers: anthropic })).json()
    expect(plain).toEqual({ type: 'model', id: 'stack', display_name: 'stack', created_at: expect.any(String) })
    const gemini = await (await fetch(`${modelmux.url}/v1beta/models/models/an/claude-x`)).json()
    expect(gemini).toMatchObject({ name: 'models/an/claude-x', baseModelId: 'an/claude-x', supportedGenerationMethods: expect.arrayContaining(['generateContent']) })
  })

  test('a model the router can serve without listing it (any model under a prefix) is found', async () => {
    await using modelmux = await setup()
    const response = await fetch(`${modelmux.url}/v1/models/an/claude-opus-4-6`)
    expect(response.status).toBe(200)
    expect((await response.json()).owned_by).toBe('anthropic-compatible')
  })

  test('an unknown model is a 404 in each client\'s format', async () => {
    await using modelmux = await setup()
    const openai = await fetch(`${modelmux.url}/v1/models/nope/model`)
    expect(openai.status).toBe(404)
    expect((await openai.json()).error).toMatchObject({ code: 'model_not_found', message: expect.stringContaining('"nope/model" is not configured') })
    const claude = await fetch(`${modelmux.url}/v1/models/nope`, { headers: anthropic })
    expect(claude.status).toBe(404)
    expect((await claude.json()).error.type).toBe('not_found_error')
    const google = await fetch(`${modelmux.url}/v1beta/models/nope`)
    expect(google.status).toBe(404)
    expect((await google.json()).error).toMatchObject({ code: 404, status: 'NOT_FOUND' })
  })

  test('a request for a model sent without its prefix is told, in its own format, which listed ids it likely meant', async () => {
    await using modelmux = await setup({}, { keyLimits: { narrow: { models: ['an/*', 'claude-x'] } } })
    const ask = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${modelmux.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
    const openai = await ask('/v1/chat/completions', { model: 'm1', messages: [{ role: 'user', content: 'hi' }] })
    expect(openai.status).toBe(404)
    expect((await openai.json()).error).toMatchObject({ code: 'model_not_found', message: 'model "m1" is not configured; did you mean "oa/m1"? GET /v1/models lists the models you can use' })
    const claude = await ask('/v1/messages', { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, anthropic)
    expect((await claude.json()).error).toEqual({ type: 'not_found_error', message: 'model "claude-x" is not configured; did you mean "an/claude-x"? GET /v1/models lists the models you can use' })
    // A key limited to some models is never shown the others.
    const narrow = await ask('/v1/chat/completions', { model: 'claude-x', messages: [{ role: 'user', content: 'hi' }] }, { authorization: `Bearer ${NARROW_KEY}` })
    expect((await narrow.json()).error.message).toContain('did you mean "an/claude-x"?')
    const hidden = await fetch(`${modelmux.url}/v1/models/zz/m1`, { headers: { authorization: `Bearer ${NARROW_KEY}` } })
    expect(hidden.status).toBe(404)
    expect((await hidden.json()).error.message).not.toContain('oa/')
  })

  test('keys are enforced on the lookup like everywhere else', async () => {
    await using modelmux = await setup({ REQUIRE_API_KEY: 'true' })
    const missing = await fetch(`${modelmux.url}/v1/models/oa/m1`, { headers: anthropic })
    expect(missing.status).toBe(401)
    expect((await missing.json()).error.type).toBe('authentication_error')
    expect((await fetch(`${modelmux.url}/v1/models/oa/m1`, { headers: { 'x-api-key': KEY } })).status).toBe(200)
    expect((await fetch(`${modelmux.url}/v1beta/models/oa/m1?key=${KEY}`)).status).toBe(200)
  })
})

describe('Ollama clients (VS Code Copilot Chat\'s Ollama provider)', () => {
  test('GET /api/version and POST /api/show answer as Ollama does, with tools and the context window', async () => {
    await using modelmux = await startTestServer({
      connections: [
        { name: 'work', provider: 'anthropic', prefix: 'cl', apiKey: 'sk-ant-x', baseUrl: 'http://127.0.0.1:9/v1', models: ['claude-sonnet-4-6'] },
        { name: 'local', provider: 'openai-compatible', prefix: 'oa', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'x', models: ['m1'] },
      ],
    })
    const version = await (await fetch(`${modelmux.url}/api/version`)).json()
    expect(version.version).toMatch(/^\d+\.\d+\.\d+$/)
    const show = (body: string) => fetch(`${modelmux.url}/api/show`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const claude = await (await show('{"model":"cl/claude-sonnet-4-6"}')).json()
    expect(claude.capabilities).toEqual(['completion', 'tools'])
    expect(claude.model_info).toEqual({ 'general.architecture': 'modelmux', 'general.basename': 'cl/claude-sonnet-4-6', 'modelmux.context_length': 200_000 })
    expect(claude.details.family).toBe('cl')
    // The older `name` field and Ollama's `:latest` tag name the same model.
    const local = await show('{"name":"oa/m1:latest"}')
    expect(local.status).toBe(200)
    expect((await local.json()).model_info['general.basename']).toBe('oa/m1')
    const unknown = await show('{"model":"nope/x"}')
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).error).toContain('"nope/x" not found')
    const malformed = await show('{"model":')
    expect(malformed.status).toBe(400)
    expect(typeof (await malformed.json()).error).toBe('string')
  })
})
