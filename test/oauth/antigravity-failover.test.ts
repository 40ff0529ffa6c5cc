/** Antigravity's two API bases: the daily endpoint, then the sandbox one when the first answers 5xx or 429. */
import { expect, test } from 'bun:test'
import { oauthServiceFor } from '../../src/oauth'
import { getSubscriptionProvider } from '../../src/providers/subscription'
import { setSetting } from '../../src/store/settings'
import { startTestServer } from '../helpers/test-server'
import { startFakeProvider } from './helpers/fake-provider'

test('the sandbox endpoint is the default second base', () => {
  const antigravity = getSubscriptionProvider('ag')!
  expect(antigravity.definition.baseUrl).toBe('https://daily-cloudcode-pa.googleapis.com/v1internal')
  expect(antigravity.failoverEndpoints).toEqual(['apiSandbox'])
  expect(antigravity.oauth.endpoints.apiSandbox).toBe('https://daily-cloudcode-pa.sandbox.googleapis.com/v1internal')
})

test('Antigravity through /v1/chat/completions: 503 or 429 on the daily endpoint → the sandbox answers; a 400 is not retried', async () => {
  await using fake = startFakeProvider()
  await using modelmux = await startTestServer()
  const context = modelmux.server.context
  setSetting(context.db, 'settings', {
    oauth: { antigravity: { origin: fake.url, api: `${fake.url}/daily/v1internal`, apiSandbox: `${fake.url}/sandbox/v1internal` } },
  })
  context.reload()
  fake.on('POST /token', () => ({ access_token: 'ag-at', refresh_token: 'ag-rt', expires_in: 3599 }))
  fake.on('GET /oauth2/v2/userinfo', () => ({ email: 'ada@gmail.com' }))
  fake.on('POST /daily/v1internal:loadCodeAssist', () => ({ currentTier: { id: 'free-tier' }, cloudaicompanionProject: 'proj-ada' }))
  const oauth = oauthServiceFor(context)
  const started = oauth.beginAuthorization('ag', { redirectUri: 'http://localhost:1/oauth-callback' })
  await oauth.completeAuthorization('ag', { code: 'c', state: started.state })

  let daily: () => Response = () => Response.json({ error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } }, { status: 503 })
  fake.on('POST /daily/v1internal:generateContent', () => daily())
  fake.on('POST /sandbox/v1internal:generateContent', (call) => {
    expect(call.headers.authorization).toBe('Bearer ag-at')
    expect(call.fields).toMatchObject({ model: 'gemini-3-flash', project: 'proj-ada', userAgent: 'antigravity', requestType: 'agent' })
    return { response: { candidates: [{ content: { role: 'model', parts: [{ text: 'from sandbox' }] }, finishReason: 'STOP' }] } }
  })
  const ask = () =>
    fetch(`${modelmux.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'ag/gemini-3-flash', messages: [{ role: 'user', content: 'hi' }] }),
    })

  const first = await ask()
  expect(first.status).toBe(200)
  expect(first.headers.get('x-modelmux-attempts')).toBe('1')
  expect((await first.json()).choices[0].message.content).toBe('from sandbox')
  expect(fake.callsTo('/daily/v1internal:generateContent')).toHaveLength(1)
  expect(fake.callsTo('/sandbox/v1internal:generateContent')).toHaveLength(1)

  daily = () => Response.json({ error: { code: 429, message: 'Resource exhausted', status: 'RESOURCE_EXHAUSTED' } }, { status: 429 })
  expect((await (await ask()).json()).choices[0].message.content).toBe('from sandbox')
  expect(fake.callsTo('/sandbox/v1internal:generateContent')).toHaveLength(2)

  daily = () => Response.json({ error: { code: 400, message: 'Invalid argument: contents', status: 'INVALID_ARGUMENT' } }, { status: 400 })
  const refused = await ask()
  expect(refused.status).toBe(400)
  expect((await refused.json()).error.message).toContain('Invalid argument')
  expect(fake.callsTo('/sandbox/v1internal:generateContent')).toHaveLength(2)

  // Both bases failing: the sandbox's answer is the one reported.
  daily = () => Response.json({ error: { code: 503, message: 'daily down', status: 'UNAVAILABLE' } }, { status: 503 })
  fake.on('POST /sandbox/v1internal:generateContent', () => Response.json({ error: { code: 500, message: 'sandbox down', status: 'INTERNAL' } }, { status: 500 }))
  const down = await ask()
  expect(down.status).toBeGreaterThanOrEqual(500)
  expect((await down.json()).error.message).toContain('sandbox down')
})
