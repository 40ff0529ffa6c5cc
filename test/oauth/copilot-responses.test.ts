/** GitHub Copilot models served only on `/responses`: switched on Copilot's 400, remembered per connection, answered in the client's format. */
import { expect, test } from 'bun:test'
import { oauthServiceFor } from '../../src/oauth'
import { setSetting } from '../../src/store/settings'
import { startTestServer } from '../helpers/test-server'
import { sse, startFakeProvider, type FakeProvider } from './helpers/fake-provider'

const responsesStream = (text: string) =>
  sse([
    { event: 'response.created', data: { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', object: 'response', model: 'gpt-5.1-codex', status: 'in_progress', output: [] } } },
    { event: 'response.output_item.added', data: { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] } } },
    { event: 'response.content_part.added', data: { type: 'response.content_part.added', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } } },
    { event: 'response.output_text.delta', data: { type: 'response.output_text.delta', sequence_number: 3, item_id: 'msg_1', output_index: 0, content_index: 0, delta: text } },
    { event: 'response.output_text.done', data: { type: 'response.output_text.done', sequence_number: 4, item_id: 'msg_1', output_index: 0, content_index: 0, text } },
    { event: 'response.output_item.done', data: { type: 'response.output_item.done', sequence_number: 5, output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text }] } } },
    { event: 'response.completed', data: { type: 'response.completed', sequence_number: 6, response: { id: 'resp_1', object: 'response', model: 'gpt-5.1-codex', status: 'completed', output: [{ id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text }] }], usage: { input_tokens: 4, output_tokens: 1, total_tokens: 5 } } } },
  ])

/** A logged-in Copilot account whose API host is the fake provider's `/copilot-api`. */
async function copilotLogin(context: Parameters<typeof oauthServiceFor>[0], fake: FakeProvider) {
  setSetting(context.db, 'settings', { oauth: { 'github-copilot': { origin: fake.url } } })
  context.reload()
  fake.on('POST /login/device/code', () => ({ device_code: 'dc', user_code: 'UC-1', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 5 }))
  fake.on('POST /login/oauth/access_token', () => ({ access_token: 'gho_1' }))
  fake.on('GET /copilot_internal/v2/token', () => ({ token: 'cop-1', expires_at: Math.floor(Date.now() / 1000) + 1800, endpoints: { api: `${fake.url}/copilot-api` } }))
  fake.on('GET /user', () => ({ login: 'octo' }))
  const oauth = oauthServiceFor(context)
  await oauth.beginDeviceLogin('gh')
  const done = await oauth.pollDeviceLogin('gh', { deviceCode: 'dc' })
  if (done.pending) throw new Error('login did not finish')
  return done.connection
}

test('Copilot: a model refused on /chat/completions goes to /responses, stays there, and clients still get chat (JSON and stream)', async () => {
  await using fake = startFakeProvider()
  await using modelmux = await startTestServer()
  const context = modelmux.server.context
  await copilotLogin(context, fake)
  fake.on('POST /copilot-api/chat/completions', (call) => {
    if (call.fields.model === 'gpt-5.1-codex') {
      return Response.json({ error: { message: 'model "gpt-5.1-codex" is not accessible via the /chat/completions endpoint', code: 'unsupported_api_for_model' } }, { status: 400 })
    }
    return { id: 'c1', object: 'chat.completion', model: call.fields.model, choices: [{ index: 0, message: { role: 'assistant', content: 'from chat' }, finish_reason: 'stop' }] }
  })
  fake.on('POST /copilot-api/responses', (call) =>
    call.fields.stream === true
      ? new Response(responsesStream('pong'), { headers: { 'content-type': 'text/event-stream' } })
      : {
          id: 'resp_2',
          object: 'response',
          model: 'gpt-5.1-codex',
          status: 'completed',
          output: [{ id: 'msg_2', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'pong' }] }],
          usage: { input_tokens: 4, output_tokens: 1, total_tokens: 5 },
        },
  )
  const ask = (model: string, stream = false) =>
    fetch(`${modelmux.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'ping' }] }),
    })

  // First call: refused on chat, answered by /responses within the same attempt.
  const first = await ask('gh/gpt-5.1-codex')
  expect(first.status).toBe(200)
  expect(first.headers.get('x-modelmux-attempts')).toBe('1')
  const body = await first.json()
  expect(body.object).toBe('chat.completion')
  expect(body.choices[0].message).toMatchObject({ role: 'assistant', content: 'pong' })
  expect(body.model).toBe('gh/gpt-5.1-codex')
  expect(fake.callsTo('/copilot-api/chat/completions')).toHaveLength(1)
  const sent = fake.callsTo('/copilot-api/responses')[0]
  expect(sent.fields).toMatchObject({ model: 'gpt-5.1-codex', instructions: 'be brief', stream: false })
  expect(JSON.stringify(sent.fields.input)).toContain('ping')
  expect(sent.fields.messages).toBeUndefined()
  expect(sent.headers).toMatchObject({ authorization: 'Bearer cop-1', 'copilot-integration-id': 'vscode-chat', 'x-initiator': 'user' })

  // Remembered: the next call (streaming) goes straight to /responses and streams chat chunks.
  const streamed = await ask('gh/gpt-5.1-codex', true)
  expect(streamed.status).toBe(200)
  expect(streamed.headers.get('content-type')).toContain('text/event-stream')
  const text = await streamed.text()
  const chunks = text.split('\n').filter((line) => line.startsWith('data: {')).map((line) => JSON.parse(line.slice(6)))
  expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true)
  expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('pong')
  expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true)
  expect(fake.callsTo('/copilot-api/chat/completions')).toHaveLength(1)
  expect(fake.callsTo('/copilot-api/responses')).toHaveLength(2)

  // Other models stay on /chat/completions; other 400s are not switched.
  expect((await (await ask('gh/gpt-4.1')).json()).choices[0].message.content).toBe('from chat')
  expect(fake.callsTo('/copilot-api/responses')).toHaveLength(2)
})

test('Copilot: "The requested model is not supported" switches too; an unrelated 400 is returned as it is', async () => {
  await using fake = startFakeProvider()
  await using modelmux = await startTestServer()
  const context = modelmux.server.context
  await copilotLogin(context, fake)
  fake.on('POST /copilot-api/chat/completions', (call) =>
    call.fields.model === 'o9'
      ? Response.json({ error: { message: 'The requested model is not supported.', code: 'model_not_supported' } }, { status: 400 })
      : Response.json({ error: { message: 'messages: too long', code: 'invalid_request' } }, { status: 400 }),
  )
  fake.on('POST /copilot-api/responses', () => ({
    id: 'resp_3',
    object: 'response',
    model: 'o9',
    status: 'completed',
    output: [{ id: 'msg_3', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'ok' }] }],
  }))
  const ask = (model: string) =>
    fetch(`${modelmux.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) })
  const switched = await ask('gh/o9')
  expect(switched.status).toBe(200)
  expect((await switched.json()).choices[0].message.content).toBe('ok')
  const refused = await ask('gh/gpt-4.1')
  expect(refused.status).toBe(400)
  expect((await refused.json()).error.message).toContain('messages: too long')
  expect(fake.callsTo('/copilot-api/responses')).toHaveLength(1)
})
