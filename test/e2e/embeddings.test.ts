import { describe, expect, test } from 'bun:test'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { startTestServer } from '../helpers/test-server'

const openaiAnswer = (model: string) =>
  JSON.stringify({
    object: 'list',
    data: [
      { object: 'embedding', index: 0, embedding: [0.25, -0.5, 0.125] },
      { object: 'embedding', index: 1, embedding: [1, 0, -1] },
    ],
    model,
    usage: { prompt_tokens: 7, total_tokens: 7 },
  })

async function setup(extra: { keyLimits?: Record<string, unknown> } = {}) {
  const openai = startFakeUpstream()
  const backup = startFakeUpstream()
  const ollama = startFakeUpstream()
  const gemini = startFakeUpstream()
  const modelmux = await startTestServer({
    connections: [
      { name: 'primary', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${openai.url}/v1`, apiKey: 'sk-primary', priority: 1 },
      { name: 'backup', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${backup.url}/v1`, apiKey: 'sk-backup', priority: 2 },
      { name: 'local', provider: 'ollama', prefix: 'ol', baseUrl: ollama.url },
      { name: 'google', provider: 'gemini', prefix: 'ge', baseUrl: `${gemini.url}/v1beta`, apiKey: 'AIza-test' },
      { name: 'claude', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${openai.url}/v1`, apiKey: 'sk-an' },
    ],
    combos: [{ name: 'embed', models: ['an/claude-x', 'ol/nomic-embed-text'] }],
    apiKeys: [{ name: 'intern', key: 'sk-mm-intern-key-0123456789' }],
    settings: { keyLimits: extra.keyLimits },
  })
  return {
    openai,
    backup,
    ollama,
    gemini,
    modelmux,
    embed: (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${modelmux.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    async usageRows() {
      await modelmux.server.context.usage.flush()
      return modelmux.server.context.db.query('SELECT inbound_format, requested_model, model, status, input_tokens, attempts FROM usage_events ORDER BY id').all()
    },
    async listCosts() {
      await modelmux.server.context.usage.flush()
      return modelmux.server.context.db.query('SELECT list_cost FROM usage_events ORDER BY id').all().map((row: any) => row.list_cost)
    },
    async [Symbol.asyncDispose]() {
      await modelmux[Symbol.asyncDispose]()
      for (const upstream of [openai, backup, ollama, gemini]) await upstream[Symbol.asyncDispose]()
    },
  }
}

describe('POST /v1/embeddings', () => {
  test('an OpenAI-compatible upstream gets the request as sent (model rewritten); the answer names the model that served it', async () => {
    await using env = await setup()
    env.openai.reply({ headers: { 'content-type': 'application/json' }, parts: [openaiAnswer('text-embedding-3-small')] })
    const response = await env.embed({ model: 'oa/text-embedding-3-small', input: ['first', 'second'], encoding_format: 'float', dimensions: 3 })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-modelmux-model')).toBe('oa/text-embedding-3-small')
    expect(await response.json()).toEqual(JSON.parse(openaiAnswer('oa/text-embedding-3-small')))
    expect(env.openai.received[0].path).toBe('/v1/embeddings')
    expect(env.openai.received[0].headers.authorization).toBe('Bearer sk-primary')
    expect(JSON.parse(env.openai.received[0].body)).toEqual({ model: 'text-embedding-3-small', input: ['first', 'second'], encoding_format: 'float', dimensions: 3 })
    expect(await env.usageRows()).toEqual([
      { inbound_format: 'openai-embeddings', requested_model: 'oa/text-embedding-3-small', model: 'oa/text-embedding-3-small', status: 200, input_tokens: 7, attempts: 1 },
    ])
    // A known embedding model is priced at its list price per input token ($0.02 per 1M), even on a custom node.
    expect(await env.listCosts()).toEqual([(7 * 0.02) / 1e6])
  })

  test('a rate-limited account falls over to the next; a request the upstream rejects is returned as it is', async () => {
    await using env = await setup()
    env.openai.reply({ status: 429, headers: { 'content-type': 'application/json', 'retry-after': '30' }, parts: ['{"error":{"message":"slow down"}}'] })
    env.backup.reply({ headers: { 'content-type': 'application/json' }, parts: [openaiAnswer('m')] })
    const served = await env.embed({ model: 'oa/m', input: 'hello' })
    expect(served.status).toBe(200)
    expect(served.headers.get('x-modelmux-attempts')).toBe('2')
    expect((await served.json()).model).toBe('oa/m')
    env.backup.reply({ status: 400, headers: { 'content-type': 'application/json' }, parts: ['{"error":{"message":"input too long","type":"invalid_request_error"}}'] })
    const rejected = await env.embed({ model: 'oa/m', input: 'x' })
    expect(rejected.status).toBe(400)
    expect((await rejected.json()).error.message).toBe('input too long')
    // The limited account cools down: the second request went straight to the backup.
    expect(env.openai.received).toHaveLength(1)
    expect(env.backup.received).toHaveLength(2)
  })

  test('when every account is rate limited the client gets an honest 429 with Retry-After, and no upstream is asked again', async () => {
    await using env = await setup()
    for (const upstream of [env.openai, env.backup]) {
      upstream.reply({ status: 429, headers: { 'content-type': 'application/json', 'retry-after': '30' }, parts: ['{"error":{"message":"slow down"}}'] })
    }
    expect((await env.embed({ model: 'oa/m', input: 'x' })).status).toBe(429)
    const cooling = await env.embed({ model: 'oa/m', input: 'x' })
    expect(cooling.status).toBe(429)
    expect(Number(cooling.headers.get('retry-after'))).toBeGreaterThan(20)
    expect((await cooling.json()).error.message).toContain('every account for "oa/m" is unavailable until')
    expect(env.openai.received.length + env.backup.received.length).toBe(2)
  })

  test('an upstream that has no embeddings (404) or answers something else is passed over', async () => {
    await using env = await setup()
    env.openai.reply({ status: 404, headers: { 'content-type': 'application/json' }, parts: ['{"error":{"message":"Not Found"}}'] })
    env.backup.reply({ headers: { 'content-type': 'application/json' }, parts: [openaiAnswer('m')] })
    const served = await env.embed({ model: 'oa/m', input: 'hello' })
    expect(served.status).toBe(200)
    expect(served.headers.get('x-modelmux-attempts')).toBe('2')
    await using other = await setup()
    other.openai.reply({ headers: { 'content-type': 'application/json' }, parts: ['{"id":"chatcmpl-1","choices":[]}'] })
    other.backup.reply({ headers: { 'content-type': 'application/json' }, parts: [openaiAnswer('m')] })
    const fallback = await other.embed({ model: 'oa/m', input: 'hello' })
    expect(fallback.status).toBe(200)
    expect((await fallback.json()).data).toHaveLength(2)
  })

  test('an Ollama upstream gets /api/embed and its answer comes back in OpenAI shape, as floats or base64', async () => {
    await using env = await setup()
    env.ollama.reply({ headers: { 'content-type': 'application/json' }, parts: [JSON.stringify({ model: 'nomic-embed-text', embeddings: [[0.5, -0.25], [1.5, 2]], prompt_eval_count: 4 })] })
    // The combo's first model cannot embed (Anthropic): the Ollama one serves.
    const floats = await env.embed({ model: 'embed', input: ['a', 'b'] })
    expect(floats.status).toBe(200)
    expect(await floats.json()).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -0.25] },
        { object: 'embedding', index: 1, embedding: [1.5, 2] },
      ],
      model: 'ol/nomic-embed-text',
      usage: { prompt_tokens: 4, total_tokens: 4 },
    })
    expect(env.ollama.received[0].path).toBe('/api/embed')
    expect(JSON.parse(env.ollama.received[0].body)).toEqual({ model: 'nomic-embed-text', input: ['a', 'b'] })
    // The OpenAI Python SDK asks for base64 by default: little-endian float32s.
    const base64 = await (await env.embed({ model: 'ol/nomic-embed-text', input: 'a', encoding_format: 'base64' })).json()
    const bytes = Buffer.from(base64.data[1].embedding, 'base64')
    expect([...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)]).toEqual([1.5, 2])
    expect(env.openai.received).toHaveLength(0)
  })

  test('a Gemini upstream gets :batchEmbedContents, one request per text, and its vectors come back in OpenAI shape', async () => {
    await using env = await setup()
    env.gemini.reply({ headers: { 'content-type': 'application/json' }, parts: [JSON.stringify({ embeddings: [{ values: [0.5, 0.25] }, { values: [-1, 2] }] })] })
    const response = await env.embed({ model: 'ge/gemini-embedding-001', input: ['one', 'two'], dimensions: 2 })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, 0.25] },
        { object: 'embedding', index: 1, embedding: [-1, 2] },
      ],
      model: 'ge/gemini-embedding-001',
      usage: { prompt_tokens: 0, total_tokens: 0 },
    })
    expect(env.gemini.received[0].path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents')
    expect(env.gemini.received[0].headers['x-goog-api-key']).toBe('AIza-test')
    expect(JSON.parse(env.gemini.received[0].body)).toEqual({
      requests: ['one', 'two'].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, outputDimensionality: 2 })),
    })
    // Its errors reach the OpenAI client in OpenAI's shape.
    env.gemini.reply({ status: 400, headers: { 'content-type': 'application/json' }, parts: ['{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}}'] })
    const refused = await env.embed({ model: 'ge/gemini-embedding-001', input: 'x' })
    expect(refused.status).toBe(400)
    const error = (await refused.json()).error
    expect(error.type).toBe('invalid_request_error')
    expect(error.message).toBe('google: Request contains an invalid argument.')
    // An Ollama client reads the same error in Ollama's shape, named once.
    const viaOllama = await fetch(`${env.modelmux.url}/api/embed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"ge/gemini-embedding-001","input":"x"}' })
    expect(viaOllama.status).toBe(400)
    expect(await viaOllama.json()).toEqual({ error: 'google: Request contains an invalid argument.' })
  })

  test('Ollama clients (/api/embed, and the older /api/embeddings) are served in Ollama\'s shape from any upstream', async () => {
    await using env = await setup()
    env.openai.reply({ headers: { 'content-type': 'application/json' }, parts: [openaiAnswer('m')] })
    const post = (path: string, body: unknown) => fetch(`${env.modelmux.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const embed = await post('/api/embed', { model: 'oa/m', input: ['first', 'second'] })
    expect(embed.status).toBe(200)
    expect(await embed.json()).toEqual({ model: 'oa/m', embeddings: [[0.25, -0.5, 0.125], [1, 0, -1]], total_duration: 0, load_duration: 0, prompt_eval_count: 7 })
    expect(JSON.parse(env.openai.received[0].body)).toEqual({ model: 'm', input: ['first', 'second'], encoding_format: 'float' })
    const legacy = await post('/api/embeddings', { model: 'oa/m', prompt: 'first' })
    expect(await legacy.json()).toEqual({ embedding: [0.25, -0.5, 0.125] })
    // Errors come in Ollama's shape too.
    env.openai.reply({ status: 400, headers: { 'content-type': 'application/json' }, parts: ['{"error":{"message":"input too long","type":"invalid_request_error"}}'] })
    const refused = await post('/api/embed', { model: 'oa/m', input: 'x' })
    expect(refused.status).toBe(400)
    expect((await refused.json()).error).toContain('input too long')
    const unknown = await post('/api/embed', { model: 'nope/x', input: 'x' })
    expect(unknown.status).toBe(404)
    expect(typeof (await unknown.json()).error).toBe('string')
    expect((await env.usageRows()).map((row: any) => row.inbound_format)).toEqual(['ollama-embeddings', 'ollama-embeddings', 'ollama-embeddings'])
  })

  test('bad input gets a clear OpenAI-format error and reaches no upstream', async () => {
    await using env = await setup({ keyLimits: { intern: { models: ['ol/*'] } } })
    const cases: [unknown, number, string][] = [
      [{ model: 'oa/m' }, 400, '"input" must be a string'],
      [{ model: 'oa/m', input: [] }, 400, '"input" must be a string'],
      [{ model: 'oa/m', input: 'x', encoding_format: 'int8' }, 400, '"encoding_format" must be "float" or "base64"'],
      [{ model: 'an/claude-x', input: 'x' }, 400, 'no connection for "an/claude-x" serves embeddings'],
      [{ model: 'nope/x', input: 'x' }, 404, '"nope/x" is not configured'],
      [{ model: 'ol/nomic-embed-text', input: [[1, 2, 3]] }, 400, 'an Ollama upstream embeds text'],
      [{ input: 'x' }, 400, '"model" is required'],
    ]
    for (const [body, status, message] of cases) {
      const response = await env.embed(body)
      expect(response.status).toBe(status)
      expect((await response.json()).error.message).toContain(message)
    }
    const refused = await env.embed({ model: 'oa/m', input: 'x' }, { authorization: 'Bearer sk-mm-intern-key-0123456789' })
    expect(refused.status).toBe(403)
    expect((await refused.json()).error.code).toBe('model_not_allowed')
    for (const upstream of [env.openai, env.backup, env.ollama, env.gemini]) expect(upstream.received).toHaveLength(0)
  })
})
