import { describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { getProvider } from '../../src/providers'
import { providersApiRoutes } from '../../src/routes/providers-api'
import type { AppContext } from '../../src/services/context'
import type { Connection } from '../../src/store/connections'
import { startFakeUpstream } from '../helpers/fake-upstream'

function appWith(connections: Connection[]) {
  const context = {
    registry: { connections: connections.map((connection) => ({ connection, provider: getProvider(connection.provider)! })) },
    fetch,
    now: Date.now,
  } as unknown as AppContext
  return new Elysia().use(providersApiRoutes(context))
}

const connection = (fields: Partial<Connection>): Connection => ({
  id: 1,
  name: 'c',
  provider: 'openai',
  prefix: null,
  baseUrl: null,
  apiKey: 'sk-upstream',
  models: [],
  priority: 1,
  enabled: true,
  options: {},
  ...fields,
})

const call = (app: ReturnType<typeof appWith>, method: string, path: string, body?: unknown) =>
  app.handle(new Request(`http://localhost${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }))

describe('/api/providers routes', () => {
  test('POST /:id/test reports the check as JSON', async () => {
    await using fake = startFakeUpstream()
    fake.reply({ status: 401, parts: ['{"error":{"message":"bad key"}}'] })
    const app = appWith([connection({ id: 7, baseUrl: `${fake.url}/v1` })])
    const response = await call(app, 'POST', '/api/providers/7/test')
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: false, method: 'models', status: 401, reason: 'the key was refused (HTTP 401): bad key' })
    expect(fake.received[0].headers.authorization).toBe('Bearer sk-upstream')
  })

  test('GET /:id/models merges the live list; ?refresh=1 fetches again', async () => {
    await using fake = startFakeUpstream()
    fake.reply({ parts: [JSON.stringify({ data: [{ id: 'live-model' }] })] })
    const app = appWith([connection({ id: 3, name: 'models-test', baseUrl: `${fake.url}/v1` })])
    const first = await (await call(app, 'GET', '/api/providers/3/models')).json()
    expect(first.live).toBe(true)
    expect(first.models.at(-1)).toEqual({ id: 'live-model', source: 'live' })
    await call(app, 'GET', '/api/providers/3/models')
    expect(fake.received).toHaveLength(1)
    await call(app, 'GET', '/api/providers/3/models?refresh=1')
    expect(fake.received).toHaveLength(2)
  })

  test('POST /validate tests an unsaved connection', async () => {
    await using fake = startFakeUpstream()
    fake.reply({ parts: [JSON.stringify({ data: [{ id: 'a' }, { id: 'b' }] })] })
    const app = appWith([])
    const response = await call(app, 'POST', '/api/providers/validate', { provider: 'openai-compatible', baseUrl: `${fake.url}/v1`, apiKey: 'sk-new' })
    expect(await response.json()).toMatchObject({ ok: true, method: 'models', reason: 'connected: 2 models listed' })
    expect(fake.received[0].headers.authorization).toBe('Bearer sk-new')
  })

  test('errors are JSON', async () => {
    const app = appWith([])
    const missing = await call(app, 'POST', '/api/providers/99/test')
    expect({ status: missing.status, body: await missing.json() }).toEqual({ status: 404, body: { error: 'no such connection' } })
    const models = await call(app, 'GET', '/api/providers/99/models')
    expect(models.status).toBe(404)
    const unknown = await call(app, 'POST', '/api/providers/validate', { provider: 'nope' })
    expect({ status: unknown.status, body: await unknown.json() }).toEqual({ status: 400, body: { error: 'unknown provider "nope"' } })
    const bad = await call(app, 'POST', '/api/providers/validate', { provider: 'openai', extra: 1 })
    expect(bad.status).toBe(400)
  })
})
