/**
 * One conformance suite for every provider adapter (Hono `common.case.test.ts` style): each provider is driven
 * against a local fake upstream that records what it received. Run by `conformance.test.ts`.
 */
import { describe, expect, test } from 'bun:test'
import { generateKeyPairSync } from 'node:crypto'
import type { ChatRequest } from '../../src/core/ir'
import { formats } from '../../src/formats'
import type { FormatId } from '../../src/formats/types'
import { decodeUpstreamError } from '../../src/formats/upstream-error'
import { resolveCredential } from '../../src/providers/credentials'
import { prepareUpstream, providerTarget, rulesFor } from '../../src/providers/prepare-upstream'
import type { ProviderDefinition, UpstreamConnection } from '../../src/providers/types'
import { listConnectionModels, testConnection } from '../../src/services/provider-check'
import { startFakeUpstream, type FakeReply, type ReceivedRequest } from '../helpers/fake-upstream'

/** The behaviours every adapter is checked for. */
export type ConformanceTest = 'url' | 'auth' | 'headers' | 'params' | 'stream' | 'errors' | 'models' | 'test-connection'

/** One provider in the suite: its definition, what its connection needs, and any documented gap. */
export interface ConformanceCase {
  provider: ProviderDefinition
  /** Connection fields beyond base URL and key (Azure deployment, Vertex project…). */
  connection?: Partial<UpstreamConnection>
  /** Expected path between the base and the format endpoint (Azure deployments, Vertex projects). */
  pathPrefix?: string
  /** Expected query string on every call (Azure `api-version`). */
  query?: string
  /** Documented gaps: the named test is skipped with its reason. */
  skip?: { test: ConformanceTest; reason: string }[]
}

export const SECRET = 'sk-connection-secret'
export const CLIENT_KEY = 'sk-mm-client-key-must-not-travel'
const ACCESS_TOKEN = 'ya29.fake-access-token'

/** A throwaway service-account key whose token endpoint is the fake. */
export function fakeServiceAccount(tokenUri: string, project = 'sa-project'): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return JSON.stringify({
    type: 'service_account',
    project_id: project,
    private_key_id: 'key-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: 'modelmux@sa-project.iam.gserviceaccount.com',
    token_uri: tokenUri,
  })
}

// Written out here, independently of src/providers/endpoints.ts.
const endpointFor: Record<FormatId, (model: string, stream: boolean) => string> = {
  'openai-chat': () => '/chat/completions',
  'anthropic-messages': () => '/messages',
  'openai-responses': () => '/responses',
  gemini: (model, stream) => `/models/${encodeURIComponent(model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
  ollama: () => '/api/chat',
}

const errorBodies: Record<FormatId, { status: number; body: unknown; message: string }> = {
  'openai-chat': { status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }, message: 'Incorrect API key provided' },
  'openai-responses': { status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }, message: 'Incorrect API key provided' },
  'anthropic-messages': { status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }, message: 'invalid x-api-key' },
  gemini: { status: 400, body: { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } }, message: 'API key not valid' },
  ollama: { status: 401, body: { error: 'unauthorized' }, message: 'unauthorized' },
}

/** A small IR request, encoded by the format's own encoder where it has one, else written by hand. */
function requestBody(provider: ProviderDefinition, model: string, stream: boolean): Record<string, unknown> {
  const codec = formats[provider.format]
  const ir: ChatRequest = { model, system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], maxTokens: 64, stream, extensions: {} } as ChatRequest
  if (codec) return codec.request.encode(ir, providerTarget(provider, model)) as Record<string, unknown>
  if (provider.format === 'gemini') return { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 64 } }
  if (provider.format === 'openai-responses') return { model, input: 'hi', max_output_tokens: 64, stream }
  return { model, messages: [{ role: 'user', content: 'hi' }], stream }
}

/** The model listing a provider's API returns, in its own shape. */
function listingBody(provider: ProviderDefinition, ids: string[]): unknown {
  if (provider.format === 'gemini') return { models: ids.map((id) => ({ name: `models/${id}`, inputTokenLimit: 1000 })) }
  if (provider.format === 'ollama') return { models: ids.map((name) => ({ name, model: name })) }
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', context_length: 1000 })) }
}

const json = (body: unknown, status = 200): FakeReply => ({ status, headers: { 'content-type': 'application/json' }, parts: [JSON.stringify(body)] })

/** Runs the whole suite for one provider. */
export function runProviderConformance(spec: ConformanceCase): void {
  const { provider } = spec
  const skipped = new Map((spec.skip ?? []).map((entry) => [entry.test, entry.reason]))
  const it = (name: ConformanceTest, body: () => Promise<void>) => {
    const reason = skipped.get(name)
    if (reason) test.skip(`${name} (skipped: ${reason})`, body)
    else test(name, body)
  }
  const basePath = provider.baseUrl ? new URL(provider.baseUrl).pathname.replace(/\/+$/, '') : '/v1'
  const model = provider.models?.[0]?.id ?? 'test-model'
  const usesServiceAccount = provider.auth.kind === 'google-service-account'

  /** A fake upstream for this provider (token endpoint included) and a connection pointing at it. */
  function setup(reply: (request: ReceivedRequest) => FakeReply = () => json({})) {
    const fake = startFakeUpstream()
    fake.reply((request) => (request.path === '/token' ? json({ access_token: ACCESS_TOKEN, expires_in: 3600, token_type: 'Bearer' }) : reply(request)))
    const connection: UpstreamConnection = {
      id: Math.floor(Math.random() * 1e9),
      name: `conformance-${provider.id}`,
      baseUrl: fake.url + basePath,
      apiKey: usesServiceAccount ? fakeServiceAccount(`${fake.url}/token`) : SECRET,
      models: [],
      ...spec.connection,
    }
    const calls = () => fake.received.filter((request) => request.path !== '/token')
    return { fake, connection, calls }
  }

  /** Sends one prepared call to the fake, the way the attempt does. */
  async function send(connection: UpstreamConnection, options: { model?: string; stream?: boolean; body?: Record<string, unknown> } = {}) {
    const callModel = options.model ?? model
    const stream = options.stream ?? false
    const credential = await resolveCredential(provider, connection, { fetch, now: Date.now, cache: new Map() })
    const clientHeaders = new Headers({ authorization: `Bearer ${CLIENT_KEY}`, 'x-api-key': CLIENT_KEY, 'x-goog-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' })
    const prepared = prepareUpstream(provider, connection, {
      model: callModel,
      stream,
      body: options.body ?? requestBody(provider, callModel, stream),
      credential,
      clientHeaders,
      env: {},
    })
    const response = await fetch(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) })
    return { prepared, response, text: await response.text() }
  }

  const expectedPath = (stream: boolean, callModel = model) => {
    const path = basePath + (spec.pathPrefix ?? '') + endpointFor[provider.format](callModel, stream)
    return spec.query ? `${path}${path.includes('?') ? '&' : '?'}${spec.query}` : path
  }

  describe(`provider ${provider.id}`, () => {
    it('url', async () => {
      const { fake, connection, calls } = setup()
      await using _ = fake
      await send(connection)
      expect(calls().map((request) => `${request.method} ${request.path.replace(/[?&]key=[^&]*/, '')}`)).toEqual([`POST ${expectedPath(false)}`])
    })

    it('auth', async () => {
      const { fake, connection, calls } = setup()
      await using _ = fake
      await send(connection)
      const { headers, path } = calls()[0]
      const auth = provider.auth
      const credentialHeaders = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key'].filter((name) => headers[name] !== undefined)
      if (auth.kind === 'bearer') expect({ headers: credentialHeaders, value: headers.authorization }).toEqual({ headers: ['authorization'], value: `Bearer ${SECRET}` })
      else if (auth.kind === 'header') expect({ headers: credentialHeaders, value: headers[auth.name] }).toEqual({ headers: [auth.name], value: SECRET })
      else if (auth.kind === 'query') expect(new URL(path, 'http://x').searchParams.get(auth.name)).toBe(SECRET)
      else if (auth.kind === 'google-service-account') {
        expect({ headers: credentialHeaders, value: headers.authorization }).toEqual({ headers: ['authorization'], value: `Bearer ${ACCESS_TOKEN}` })
        expect(JSON.stringify(headers)).not.toContain('PRIVATE KEY')
      } else expect(credentialHeaders).toEqual([])
      // The client's own modelmux key never travels upstream, in any header or the URL.
      expect(JSON.stringify(calls())).not.toContain(CLIENT_KEY)
      if (provider.anonymousKey) {
        const { fake: other, connection: keyless, calls: otherCalls } = setup()
        await using __ = other
        await send({ ...keyless, apiKey: null })
        expect(otherCalls()[0].headers.authorization).toBe(`Bearer ${provider.anonymousKey}`)
      }
    })

    it('headers', async () => {
      const { fake, connection, calls } = setup()
      await using _ = fake
      await send(connection)
      const { headers } = calls()[0]
      const own = Object.fromEntries(Object.entries(provider.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]))
      expect(Object.fromEntries(Object.keys(own).map((name) => [name, headers[name]]))).toEqual(own)
      expect(headers['content-type']).toBe('application/json')
      expect(headers.accept).toBe('application/json')
    })

    it('params', async () => {
      const { fake, connection, calls } = setup()
      await using _ = fake
      // The provider's own rules with its first model, then each model rule with a built-in model it matches.
      const models = [model, ...(provider.modelRules ?? []).map((rule) => provider.models?.find((m) => rule.match.test(m.id))?.id ?? `(no built-in model matches ${rule.match})`)]
      for (const callModel of models) {
        const rules = rulesFor(provider, callModel)
        const dropped = rules.flatMap((rule) => rule.dropParams ?? [])
        const renamed = Object.assign({}, ...rules.map((rule) => rule.renameParams ?? {})) as Record<string, string>
        const base = requestBody(provider, callModel, false)
        // The encoder may already use the renamed field (see providerTarget); remove it so the rename itself is tested.
        for (const to of Object.values(renamed)) delete base[to]
        const extra = Object.fromEntries([...dropped, ...Object.keys(renamed)].map((name, index) => [name, `value-${index}`]))
        await send(connection, { model: callModel, body: { ...base, ...extra, keep_me: 'kept' } })
        const received = JSON.parse(calls().at(-1)!.body)
        for (const name of dropped) expect({ name, value: received[name] }).toEqual({ name, value: undefined })
        for (const [from, to] of Object.entries(renamed)) {
          if (dropped.includes(to)) continue
          expect({ from, value: received[from], [to]: received[to] }).toEqual({ from, value: undefined, [to]: extra[from] })
        }
        expect(received.keep_me).toBe('kept')
        if (provider.format !== 'gemini') expect(received.model).toBe(callModel)
        if (renamed.max_tokens) expect(providerTarget(provider, callModel).maxTokensField).toBe(renamed.max_tokens as 'max_completion_tokens')
      }
    })

    it('stream', async () => {
      const { fake, connection, calls } = setup(() => ({ headers: { 'content-type': 'text/event-stream' }, parts: ['data: {}\n\n'] }))
      await using _ = fake
      const { response, text } = await send(connection, { stream: true })
      expect(response.status).toBe(200)
      expect(text).toBe('data: {}\n\n')
      const received = calls()[0]
      expect(received.path.replace(/[?&]key=[^&]*/, '')).toBe(expectedPath(true))
      expect(received.headers.accept).toBe('text/event-stream')
      const body = JSON.parse(received.body)
      if (provider.format !== 'gemini') expect(body.stream).toBe(true)
      if (provider.format === 'openai-chat' && formats['openai-chat']) {
        const wantsUsage = providerTarget(provider, model).includeStreamUsage !== false
        expect(body.stream_options).toEqual(wantsUsage ? { include_usage: true } : undefined)
      }
    })

    it('errors', async () => {
      const error = errorBodies[provider.format]
      const { fake, connection } = setup(() => json(error.body, error.status))
      await using _ = fake
      const { response, text } = await send(connection)
      expect(response.status).toBe(error.status)
      expect(JSON.parse(text)).toEqual(error.body)
      const decoded = decodeUpstreamError(response.status, text, connection.name)
      expect(decoded.status).toBe(error.status)
      expect(decoded.message).toContain(error.message)
    })

    it('models', async () => {
      const builtin = provider.models?.[0]?.id
      const { fake, connection, calls } = setup(() => json(listingBody(provider, [...(builtin ? [builtin] : []), 'live-only-model'])))
      await using _ = fake
      const list = await listConnectionModels(provider, connection, { fetch, now: Date.now, env: {}, refresh: true, cache: new Map() })
      if (!provider.listModels) {
        expect({ live: list.live, requests: calls().length }).toEqual({ live: false, requests: 0 })
        expect(list.models.map((m) => m.id)).toEqual((provider.models ?? []).map((m) => m.id))
        return
      }
      expect(list.error).toBeUndefined()
      const received = calls()[0]
      expect(`${received.method} ${received.path.replace(/[?&]key=[^&]*/, '')}`).toBe(`GET ${basePath}${provider.listModels}`)
      expect(JSON.stringify(received.headers)).not.toContain(CLIENT_KEY)
      expect(list.models.find((m) => m.id === 'live-only-model')).toMatchObject({ id: 'live-only-model', source: 'live' })
      if (builtin) expect(list.models[0]).toMatchObject({ id: builtin, source: 'both' })
    })

    it('test-connection', async () => {
      let status = 401
      const { fake, connection, calls } = setup((request) =>
        status === 200 ? json(request.method === 'GET' ? listingBody(provider, ['m']) : {}) : json(errorBodies[provider.format].body, status),
      )
      await using _ = fake
      const deps = { fetch, now: Date.now, env: {}, credentialCache: new Map() }
      const refused = await testConnection(provider, connection, deps)
      expect({ ok: refused.ok, status: refused.status, refused: refused.reason.includes('key was refused') }).toEqual({ ok: false, status: 401, refused: true })
      status = 200
      const accepted = await testConnection(provider, connection, deps)
      expect({ ok: accepted.ok, method: accepted.method }).toEqual({ ok: true, method: provider.listModels ? 'models' : 'probe' })
      if (!provider.listModels) {
        const probe = JSON.parse(calls().at(-1)!.body)
        const limit = probe.max_tokens ?? probe.max_completion_tokens ?? probe.generationConfig?.maxOutputTokens ?? probe.options?.num_predict ?? probe.max_output_tokens
        expect(limit).toBeLessThanOrEqual(16)
      }
    })
  })
}
