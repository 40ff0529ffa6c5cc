import { Database } from 'bun:sqlite'
import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { startTestServer } from '../helpers/test-server'

test('a non-stream answer still being generated at shutdown ends as a 503 in the caller\'s format, recorded once, with no fallback', async () => {
  await using upstream = startFakeUpstream()
  await using modelmux = await startTestServer({
    connections: [
      { name: 'first', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${upstream.url}/v1`, apiKey: 'x' },
      { name: 'second', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${upstream.url}/v1`, apiKey: 'y' },
    ],
  })
  const arrived = Promise.withResolvers<void>()
  // The upstream sends its headers, then keeps the body back (a long generation).
  upstream.reply(() => {
    arrived.resolve()
    return { headers: { 'content-type': 'application/json' }, parts: ['{"id":"msg_1",', { pause: new Promise<void>(() => {}) }] }
  })
  const answer = fetch(`${modelmux.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'an/claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'write a long essay' }] }),
  })
  await arrived.promise
  await Bun.sleep(20)
  await modelmux.server.stop()
  const response = await answer
  expect(response.status).toBe(503)
  expect(await response.json()).toEqual({
    type: 'error',
    error: { type: 'overloaded_error', message: 'modelmux is shutting down; send the request again once it is back' },
  })
  // Not sent on to the second account, and neither account is marked as failing.
  expect(upstream.received).toHaveLength(1)
  const { context } = modelmux.server
  for (const { connection } of context.registry.connections) expect(context.health.state(connection.id).consecutiveFailures).toBe(0)
  const db = new Database(join(modelmux.dataDir, 'data', 'modelmux.db'), { readonly: true })
  try {
    expect(db.query('SELECT status, error FROM usage_events').all()).toEqual([{ status: 503, error: 'modelmux is shutting down; send the request again once it is back' }])
  } finally {
    db.close()
  }
})
