// End to end through the real server. These tests need the integration edits listed in the issue-7
// report (budgetCheck in routing, checkKeyLimits after authentication, estimateInput on usage rows,
// request-log hooks, the usage and metrics routes mounted in app.ts); they fail until those are made.
import { describe, expect, test } from 'bun:test'
import { readChunks } from '../helpers/recorded'
import { recordedJson, startUsageEnv } from './helpers'

const clientKey = 'sk-mm-integration-0123456789'

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":"test-password-1"}' })
  return (response.headers.get('set-cookie') ?? '').split(';')[0]
}

describe('budgets in routing', () => {
  test('a connection over its budget is skipped, so the combo falls through to the next tier', async () => {
    await using env = await startUsageEnv({ budgets: [{ connection: 'an-conn', window: 'daily', maxTokens: 50 }] })
    env.upstreams.anthropic.reply(recordedJson('anthropic/anthropic-text.json')) // 12 + 29 tokens
    env.upstreams.backup.reply(recordedJson('openai-chat/openai-text.json'))
    const models: (string | null)[] = []
    for (let i = 0; i < 3; i++) {
      const response = await env.call('openai-chat', 'stack', false)
      expect(response.status).toBe(200)
      models.push(response.headers.get('x-modelmux-model'))
      await response.text()
    }
    expect(models).toEqual(['an/claude-sonnet-4-5', 'an/claude-sonnet-4-5', 'bk/gpt-4.1'])
    expect(env.upstreams.anthropic.received).toHaveLength(2)
    const third = (await env.rows('usage_events'))[2]
    expect(third).toMatchObject({ model: 'bk/gpt-4.1', combo: 'stack', attempts: 1 })
  })

  test('when every candidate is over budget the client gets a 429 in its own format with Retry-After', async () => {
    await using env = await startUsageEnv({ budgets: [{ provider: 'anthropic-compatible', window: 'daily', maxTokens: 10 }] })
    env.upstreams.anthropic.reply(recordedJson('anthropic/anthropic-text.json'))
    expect((await env.call('anthropic-messages', 'an/claude-sonnet-4-5', false)).status).toBe(200)
    const blocked = await env.call('anthropic-messages', 'an/claude-sonnet-4-5', false)
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    const body = await blocked.json()
    expect(body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } })
    expect(body.error.message).toContain('daily budget')
    expect(env.upstreams.anthropic.received).toHaveLength(1)
  })
})

describe('client key limits', () => {
  test('requests per minute: the next request gets a 429 in the caller format', async () => {
    await using env = await startUsageEnv({ keyLimits: { laptop: { requestsPerMinute: 1 } } }, { apiKeys: [{ name: 'laptop', key: clientKey }] })
    env.upstreams.openai.reply(recordedJson('openai-chat/openai-text.json'))
    const headers = { authorization: `Bearer ${clientKey}` }
    expect((await env.call('openai-chat', 'oa/gpt-4.1', false, headers)).status).toBe(200)
    const limited = await env.call('openai-chat', 'oa/gpt-4.1', false, headers)
    expect(limited.status).toBe(429)
    expect((await limited.json()).error).toMatchObject({ code: 'key_rate_limit' })
    const gemini = await env.call('gemini', 'oa/gpt-4.1', false, headers)
    expect(gemini.status).toBe(429)
    expect((await gemini.json()).error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' })
    expect(env.upstreams.openai.received).toHaveLength(1)
  })
})

describe('models a client key may use', () => {
  const intern = 'sk-mm-intern-0123456789abcdef'
  const setup = () =>
    startUsageEnv({ keyLimits: { intern: { models: ['oa/*', 'my-stack'] } } }, { apiKeys: [{ name: 'laptop', key: clientKey }, { name: 'intern', key: intern }] })

  test('a model outside the key\'s list is a 403 in the caller\'s format, sent nowhere and counted nowhere', async () => {
    await using env = await setup()
    env.upstreams.openai.reply(recordedJson('openai-chat/openai-text.json'))
    env.upstreams.anthropic.reply(recordedJson('anthropic/anthropic-text.json'))
    const headers = { 'x-api-key': intern }
    expect((await env.call('openai-chat', 'oa/gpt-4.1', false, headers)).status).toBe(200)
    const refused = await env.call('anthropic-messages', 'an/claude-sonnet-4-5', false, headers)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({
      type: 'error',
      error: { type: 'permission_error', message: 'API key "intern" may not use model "an/claude-sonnet-4-5"; it may use: oa/*, my-stack' },
    })
    const openai = await env.call('openai-chat', 'an/claude-sonnet-4-5', false, headers)
    expect(openai.status).toBe(403)
    expect((await openai.json()).error).toMatchObject({ code: 'model_not_allowed', param: 'model' })
    expect(env.upstreams.anthropic.received).toHaveLength(0)
    // The alias it was given serves through its combo; another key, with no list, may use anything.
    expect((await env.call('anthropic-messages', 'my-stack', false, headers)).status).toBe(200)
    expect((await env.call('anthropic-messages', 'an/claude-sonnet-4-5', false, { 'x-api-key': clientKey })).status).toBe(200)
    const count = await fetch(`${env.modelmux.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'an/claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(count.status).toBe(403)
    expect((await env.rows('usage_events')).map((row) => row.model)).toEqual(['oa/gpt-4.1', 'an/claude-sonnet-4-5', 'an/claude-sonnet-4-5'])
  })

  test('the key sees only its models in the lists and lookups', async () => {
    await using env = await setup()
    const list = await (await fetch(`${env.modelmux.url}/v1/models`, { headers: { authorization: `Bearer ${intern}` } })).json()
    // These connections list no models of their own: the lists hold the combo and the alias.
    expect(list.data.map((model: { id: string }) => model.id)).toEqual(['my-stack'])
    const everything = await (await fetch(`${env.modelmux.url}/v1/models`, { headers: { authorization: `Bearer ${clientKey}` } })).json()
    expect(everything.data.map((model: { id: string }) => model.id)).toEqual(['stack', 'my-stack'])
    const hidden = await fetch(`${env.modelmux.url}/v1/models/an/claude-sonnet-4-5`, { headers: { authorization: `Bearer ${intern}` } })
    expect(hidden.status).toBe(404)
    expect((await fetch(`${env.modelmux.url}/v1/models/oa/gpt-4.1`, { headers: { authorization: `Bearer ${intern}` } })).status).toBe(200)
  })

  test('a list that names no model is refused at start-up, naming the field', async () => {
    await expect(startUsageEnv({ keyLimits: { intern: { models: [] } } })).rejects.toThrow(/keyLimits\.intern\.models/)
  })
})

describe('estimates and routes', () => {
  test('a stream without usage is estimated with the tokenizer and marked so', async () => {
    await using env = await startUsageEnv()
    const chunks = readChunks('openai-chat/openai-text.chunks.txt').filter((line) => !line.includes('"prompt_tokens"'))
    env.upstreams.openai.reply({ headers: { 'content-type': 'text/event-stream' }, parts: [...chunks.map((line) => `data: ${line}\n\n`), 'data: [DONE]\n\n'] })
    await (await env.call('openai-chat', 'oa/gpt-4.1', true)).text()
    await env.context.usage.settled()
    const [row] = (await env.rows('usage_events'))
    expect(row.estimated).toBe(1)
    expect(row.input_tokens).toBeGreaterThan(3)
  })

  test('the usage API and /metrics are served by the app', async () => {
    await using env = await startUsageEnv({}, { apiKeys: [{ name: 'laptop', key: clientKey }] })
    env.upstreams.openai.reply(recordedJson('openai-chat/openai-text.json'))
    await (await env.call('openai-chat', 'oa/gpt-4.1', false, { authorization: `Bearer ${clientKey}` })).text()
    const cookie = await login(env.modelmux.url)
    const summary = await fetch(`${env.modelmux.url}/api/usage/summary`, { headers: { cookie } })
    expect((await summary.json()).totals.requests).toBe(1)
    const metrics = await fetch(`${env.modelmux.url}/metrics`, { headers: { authorization: `Bearer ${clientKey}` } })
    expect(await metrics.text()).toContain('modelmux_input_tokens_total{provider="openai-compatible",connection="oa-conn",model="oa/gpt-4.1"} 16')
  })

  test('ENABLE_REQUEST_LOGS stores both sides of an exchange, redacted', async () => {
    await using env = await startUsageEnv({}, { apiKeys: [{ name: 'laptop', key: clientKey }] }, { ENABLE_REQUEST_LOGS: 'true' })
    env.upstreams.openai.reply(recordedJson('openai-chat/openai-text.json'))
    await (await env.call('openai-chat', 'oa/gpt-4.1', false, { authorization: `Bearer ${clientKey}` })).text()
    const rows = (await env.rows('request_logs'))
    expect(rows.map((row) => row.side).sort()).toEqual(['client', 'upstream'])
    expect(rows.every((row) => row.response_body.includes('chat.completion'))).toBe(true)
    const everything = JSON.stringify(rows)
    expect(everything).not.toContain(clientKey)
    expect(everything).not.toContain('sk-upstream-openai-secret')
  })

  test('with request logs on, a passthrough stream reaches the client whole and both sides log it', async () => {
    await using env = await startUsageEnv({}, {}, { ENABLE_REQUEST_LOGS: 'true' })
    const parts = [...readChunks('openai-chat/openai-text.chunks.txt').map((line) => `data: ${line}\n\n`), 'data: [DONE]\n\n']
    env.upstreams.openai.reply({ headers: { 'content-type': 'text/event-stream' }, parts })
    const text = await (await env.call('openai-chat', 'oa/gpt-4.1', true)).text()
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(text.split('data: ').length).toBe(parts.length + 1)
    const rows = await env.rows('request_logs')
    expect(rows.map((row) => row.side).sort()).toEqual(['client', 'upstream'])
    const client = rows.find((row) => row.side === 'client')!
    expect(client.response_body).toBe(text)
    expect(rows.find((row) => row.side === 'upstream')!.response_body).toBe(parts.join(''))
  })
})
