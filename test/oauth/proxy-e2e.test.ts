/**
 * The whole path through a running modelmux: client → /v1 → routing → OAuth connection → fake upstream.
 * Runs once the subscription providers are registered in the provider catalogue (see the integration notes).
 */
import { expect, test } from 'bun:test'
import { oauthServiceFor } from '../../src/oauth'
import { getProvider } from '../../src/providers'
import { setSetting } from '../../src/store/settings'
import { startTestServer } from '../helpers/test-server'
import { sse, startFakeProvider } from './helpers/fake-provider'

const integrated = getProvider('claude-code') !== undefined && getProvider('codex') !== undefined

test.skipIf(!integrated)('Claude Code through /v1/messages: first request, 401 → refresh → retry, revoked → needs re-login and skipped', async () => {
  await using fake = startFakeProvider()
  await using modelmux = await startTestServer()
  const context = modelmux.server.context
  setSetting(context.db, 'settings', { oauth: { 'claude-code': { origin: fake.url } } })
  context.reload()
  let issued = 0
  let revoked = false
  fake.on('POST /v1/oauth/token', (call) => {
    if (call.fields.grant_type === 'refresh_token' && revoked) return Response.json({ error: 'invalid_grant', error_description: 'revoked' }, { status: 400 })
    issued++
    return { access_token: `at-${issued}`, refresh_token: `rt-${issued}`, expires_in: 8 * 3600, account: { uuid: 'u-1', email_address: 'ada@example.com' } }
  })
  let reject = 0
  fake.on('POST /v1/messages', (call) => {
    if (reject > 0) {
      reject--
      return Response.json({ type: 'error', error: { type: 'authentication_error', message: 'token expired' } }, { status: 401 })
    }
    expect(call.query.get('beta')).toBe('true')
    return { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [{ type: 'text', text: `hello with ${call.headers.authorization}` }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 3 } }
  })
  const oauth = oauthServiceFor(context)
  const start = oauth.beginAuthorization('cc', { redirectUri: 'http://localhost:1/callback' })
  await oauth.completeAuthorization('cc', { code: 'c', state: start.state })

  const ask = () =>
    fetch(`${modelmux.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'cc/claude-sonnet-4-6', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }),
    })
  const first = await ask()
  expect(first.status).toBe(200)
  expect((await first.json()).content[0].text).toBe('hello with Bearer at-1')

  reject = 1
  const retried = await ask()
  expect(retried.status).toBe(200)
  expect((await retried.json()).content[0].text).toBe('hello with Bearer at-2')
  expect(retried.headers.get('x-modelmux-attempts')).toBe('1')

  revoked = true
  reject = 1
  const refused = await ask()
  expect(refused.status).toBe(401)
  const upstreamCalls = fake.callsTo('/v1/messages').length
  const skipped = await ask()
  expect(skipped.status).toBeGreaterThanOrEqual(400)
  expect(fake.callsTo('/v1/messages').length).toBe(upstreamCalls)
  const connection = context.registry.connections.find((entry) => entry.provider.id === 'claude-code')!.connection
  expect(oauth.status(connection)?.needsRelogin).toContain('revoked')
  expect(context.health.state(connection.id).state).toBe('needs-relogin')
})

test.skipIf(!integrated)('Codex through /v1/chat/completions: translated to Responses, always streamed upstream, collected for a non-streaming client', async () => {
  await using fake = startFakeProvider()
  await using modelmux = await startTestServer()
  const context = modelmux.server.context
  setSetting(context.db, 'settings', { oauth: { codex: { origin: fake.url } } })
  context.reload()
  fake.on('POST /oauth/token', () => ({ access_token: 'cx-at', refresh_token: 'cx-rt', expires_in: 864_000 }))
  fake.on('POST /backend-api/codex/responses', () =>
    new Response(
      sse([
        { event: 'response.created', data: { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', object: 'response', model: 'gpt-5.3-codex', status: 'in_progress', output: [] } } },
        { event: 'response.output_item.added', data: { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] } } },
        { event: 'response.content_part.added', data: { type: 'response.content_part.added', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } } },
        { event: 'response.output_text.delta', data: { type: 'response.output_text.delta', sequence_number: 3, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'pong' } },
        { event: 'response.output_text.done', data: { type: 'response.output_text.done', sequence_number: 4, item_id: 'msg_1', output_index: 0, content_index: 0, text: 'pong' } },
        { event: 'response.output_item.done', data: { type: 'response.output_item.done', sequence_number: 5, output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'pong' }] } } },
        { event: 'response.completed', data: { type: 'response.completed', sequence_number: 6, response: { id: 'resp_1', object: 'response', model: 'gpt-5.3-codex', status: 'completed', output: [{ id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'pong' }] }], usage: { input_tokens: 4, output_tokens: 1, total_tokens: 5 } } } },
      ]),
      { headers: { 'content-type': 'text/event-stream' } },
    ),
  )
  const oauth = oauthServiceFor(context)
  const start = oauth.beginAuthorization('cx', { redirectUri: 'http://localhost:1455/auth/callback' })
  await oauth.completeAuthorization('cx', { code: 'c', state: start.state })
  const response = await fetch(`${modelmux.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'cx/gpt-5.3-codex-high', messages: [{ role: 'user', content: 'ping' }], temperature: 0.3 }),
  })
  expect(response.status).toBe(200)
  const body = await response.json()
  expect(body.choices[0].message.content).toBe('pong')
  const sent = JSON.parse(fake.callsTo('/backend-api/codex/responses')[0].body)
  expect(sent).toMatchObject({ model: 'gpt-5.3-codex', stream: true, store: false, reasoning: { effort: 'high' } })
  expect(sent.temperature).toBeUndefined()
})
