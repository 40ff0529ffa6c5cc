import { describe, expect, test } from 'bun:test'
import { logExchange, redactBody, redactHeaders, redactUrl, writeRequestLog } from '../../src/services/request-log'
import { managementApp, recordedJson, recordedStream, signIn, startUsageEnv } from './helpers'

const clientKey = 'sk-mm-laptop-0123456789abcdef'

async function envWithTraffic(settings: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const usage = await startUsageEnv(settings, { apiKeys: [{ name: 'laptop', key: clientKey }] }, env)
  usage.upstreams.openai.reply(recordedJson('openai-chat/openai-text.json'))
  usage.upstreams.anthropic.reply(recordedStream('anthropic/anthropic-text.chunks.txt', 'named'))
  await (await usage.call('openai-chat', 'oa/gpt-4.1', false, { authorization: `Bearer ${clientKey}` })).text()
  await (await usage.call('openai-chat', 'oa/gpt-4.1', false)).text()
  await (await usage.call('anthropic-messages', 'an/claude-sonnet-4-5', true, { 'x-api-key': clientKey })).text()
  const app = managementApp(usage.context)
  const cookie = await signIn(app)
  const get = async (path: string, headers: Record<string, string> = { cookie }) => app.handle(new Request(`http://127.0.0.1${path}`, { headers }))
  const send = async (method: string, path: string, body: unknown) =>
    app.handle(new Request(`http://127.0.0.1${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) }))
  return Object.assign(usage, { app, cookie, get, send })
}

describe('query API', () => {
  test('every route needs the dashboard session', async () => {
    await using env = await envWithTraffic()
    for (const path of ['/api/usage/summary', '/api/usage/series', '/api/usage/requests', '/api/usage/export', '/api/pricing', '/api/budgets', '/api/logs', '/api/usage/quota']) {
      expect((await env.get(path, {})).status).toBe(401)
    }
    const write = await env.app.handle(new Request('http://127.0.0.1/api/pricing', { method: 'PUT', headers: { cookie: env.cookie, 'content-type': 'text/plain' }, body: '{}' }))
    expect(write.status).toBe(403)
  })

  test('totals, series, breakdowns and recent requests with their attempt trace', async () => {
    await using env = await envWithTraffic()
    const summary = await (await env.get('/api/usage/summary?period=24h')).json()
    const openai = (16 * 2 + 363 * 8) / 1e6
    const anthropic = (12 * 3 + 30 * 15) / 1e6
    expect(summary.totals).toMatchObject({ requests: 3, errors: 0, inputTokens: 16 + 16 + 12, outputTokens: 363 + 363 + 30, totalTokens: 44 + 756, savings: 0 })
    expect(summary.totals.listCost).toBeCloseTo(2 * openai + anthropic, 12)

    const series = await (await env.get('/api/usage/series?granularity=hour&period=24h&tz=Asia/Kolkata')).json()
    expect(series.series.length).toBeGreaterThanOrEqual(24)
    expect(series.series.reduce((sum: number, bucket: { requests: number }) => sum + bucket.requests, 0)).toBe(3)
    expect(series.series.at(-1).label).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00$/)
    // Every bucket says when it starts, those with traffic too.
    for (const bucket of series.series) expect(bucket.start).toBeNumber()
    const busy = series.series.filter((bucket: { requests: number }) => bucket.requests > 0)
    expect(busy.length).toBeGreaterThan(0)
    for (const bucket of busy) expect(bucket.start % 3_600_000 === 0 || bucket.start === series.from).toBe(true)
    // `period=all` starts at the first hour with usage, not in 1970 (three years of empty hours, then the data).
    const all = await (await env.get('/api/usage/series?granularity=hour&period=all')).json()
    expect(all.series.length).toBeLessThan(3)
    expect(all.series.reduce((sum: number, bucket: { requests: number }) => sum + bucket.requests, 0)).toBe(3)
    expect((await env.get('/api/usage/series?granularity=week')).status).toBe(400)
    expect((await env.get('/api/usage/series?tz=Mars/Olympus')).status).toBe(400)

    const byKey = await (await env.get('/api/usage/breakdown?by=key&period=24h')).json()
    expect(byKey.rows.map((row: { name: string | null; requests: number }) => [row.name, row.requests]).sort()).toEqual([['laptop', 2], [null, 1]].sort())
    const byModel = await (await env.get('/api/usage/breakdown?by=model')).json()
    expect(byModel.rows.map((row: { id: string; inputTokens: number }) => [row.id, row.inputTokens])).toEqual([['oa/gpt-4.1', 32], ['an/claude-sonnet-4-5', 12]])
    const byConnection = await (await env.get('/api/usage/breakdown?by=connection')).json()
    expect(byConnection.rows.map((row: { name: string }) => row.name).sort()).toEqual(['an-conn', 'oa-conn'])

    const recent = await (await env.get('/api/usage/requests?limit=2')).json()
    expect(recent.requests).toHaveLength(2)
    expect(recent.requests[0]).toMatchObject({ model: 'an/claude-sonnet-4-5', connection_name: 'an-conn', api_key_name: 'laptop', stream: 1 })
    expect(recent.requests[0].attempts).toEqual([expect.objectContaining({ status: 200, connection_name: 'an-conn', model: 'an/claude-sonnet-4-5', implied: true })])
    const older = await (await env.get(`/api/usage/requests?limit=2&before=${recent.nextBefore}`)).json()
    expect(older.requests).toHaveLength(1)
    expect(older.nextBefore).toBeNull()
    // A cursor or page size that is not a whole number is an error, not an empty page.
    for (const query of ['before=abc', 'before=-3', 'limit=abc', 'limit=0', 'limit=2.5']) {
      const bad = await env.get(`/api/usage/requests?${query}`)
      expect(bad.status).toBe(400)
      expect((await bad.json()).error).toMatch(/must be a whole number/)
    }
    for (const path of ['/api/usage/export?limit=abc', '/api/logs?before=x', '/api/logs/export?limit=-1']) expect((await env.get(path)).status).toBe(400)
    const one = await (await env.get(`/api/usage/requests/${recent.requests[1].request_id}`)).json()
    expect(one.attempts).toHaveLength(1)
    expect((await env.get('/api/usage/requests/nope')).status).toBe(404)
  })

  test('CSV and JSON export', async () => {
    await using env = await envWithTraffic()
    const csv = await env.get('/api/usage/export?format=csv&period=24h')
    expect(csv.headers.get('content-type')).toContain('text/csv')
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="modelmux-usage-\d{4}-\d{2}-\d{2}\.csv"/)
    const lines = (await csv.text()).trimEnd().split('\r\n')
    expect(lines[0]).toStartWith('id,at,request_id,inbound_format,requested_model,combo,model,provider,connection_id,connection_name')
    expect(lines).toHaveLength(4)
    expect(lines[1]).toContain(',oa/gpt-4.1,openai-compatible,')
    const json = await (await env.get('/api/usage/export?format=json')).json()
    expect(json.map((row: { model: string }) => row.model)).toEqual(['oa/gpt-4.1', 'oa/gpt-4.1', 'an/claude-sonnet-4-5'])
    const hourly = await (await env.get('/api/usage/export?format=csv&source=hourly')).text()
    expect(hourly.split('\r\n')[0]).toStartWith('hour,provider,connection_id,model,api_key_id,requests')
  })

  test('pricing overrides: GET lists built-in and overrides, PUT changes the price of later requests, DELETE removes', async () => {
    await using env = await envWithTraffic()
    const prices = await (await env.get('/api/pricing')).json()
    expect(prices.builtIn).toContainEqual({ provider: 'anthropic', model: 'claude-sonnet-4-5', input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 })
    expect((await env.send('PUT', '/api/pricing', { provider: 'openai-compatible', model: 'gpt-4.1', input: -1, output: 1 })).status).toBe(400)
    const put = await (await env.send('PUT', '/api/pricing', { prices: [{ provider: 'openai-compatible', model: 'gpt-4.1', input: 100, output: 1000 }] })).json()
    expect(put.overrides).toEqual([expect.objectContaining({ provider: 'openai-compatible', model: 'gpt-4.1', input: 100, output: 1000 })])
    await (await env.call('openai-chat', 'oa/gpt-4.1', false)).text()
    const [latest] = (await (await env.get('/api/usage/requests?limit=1')).json()).requests
    expect(latest.list_cost).toBeCloseTo((16 * 100 + 363 * 1000) / 1e6, 12)
    expect((await env.send('DELETE', '/api/pricing?provider=openai-compatible&model=gpt-4.1', {})).status).toBe(200)
    expect((await env.send('DELETE', '/api/pricing?provider=openai-compatible&model=gpt-4.1', {})).status).toBe(404)
  })

  test('budgets: PUT validates and stores them, GET shows usage, warning and reset countdown; quota lists windows', async () => {
    await using env = await envWithTraffic({ quota: { timeZone: 'America/New_York' } })
    expect((await env.send('PUT', '/api/budgets', { budgets: [{ window: 'daily', maxTokens: 10 }] })).status).toBe(400)
    const put = await env.send('PUT', '/api/budgets', { budgets: [{ connection: 'oa-conn', window: 'daily', maxTokens: 1000, warnAt: 0.5 }, { provider: 'anthropic-compatible', window: 'weekly', maxTokens: 1000 }] })
    expect(put.status).toBe(200)
    const { budgets } = await (await env.get('/api/budgets')).json()
    expect(budgets[0]).toMatchObject({ used: { tokens: 758, requests: 2 }, warning: true, blocked: false, window: { kind: 'daily' } })
    expect(budgets[0].window.resetInMs).toBeGreaterThan(0)
    expect(budgets[0].window.resetInMs).toBeLessThanOrEqual(25 * 3_600_000)
    expect(budgets[1]).toMatchObject({ used: { tokens: 42 }, warning: false, blocked: false })
    const quota = await (await env.get('/api/usage/quota')).json()
    const oa = quota.connections.find((c: { name: string }) => c.name === 'oa-conn')
    expect(oa.tier).toBe('paid')
    expect(oa.windows.map((w: { kind: string; used: { tokens: number } }) => [w.kind, w.used.tokens])).toEqual([['5h', 758], ['daily', 758], ['weekly', 758], ['monthly', 758]])
    expect(oa.budget).toEqual({ blocked: false })
  })
})

describe('/metrics', () => {
  test('Prometheus text for a client key or the dashboard session, with separate token series per answering connection', async () => {
    await using env = await envWithTraffic()
    expect((await env.get('/metrics', {})).status).toBe(401)
    expect((await env.get('/metrics', { authorization: 'Bearer sk-mm-wrong-key-000000000' })).status).toBe(401)
    const withKey = await env.get('/metrics', { authorization: `Bearer ${clientKey}` })
    expect(withKey.status).toBe(200)
    expect(withKey.headers.get('content-type')).toStartWith('text/plain; version=0.0.4')
    const text = await withKey.text()
    const labels = 'provider="openai-compatible",connection="oa-conn",model="oa/gpt-4.1"'
    expect(text).toContain(`modelmux_input_tokens_total{${labels}} 32`)
    expect(text).toContain(`modelmux_output_tokens_total{${labels}} 726`)
    expect(text).toContain(`modelmux_requests_total{${labels},status="200"} 2`)
    expect(text).toContain(`modelmux_attempts_total{${labels},status="200",failure_class=""} 2`)
    expect(text).toContain(`modelmux_request_duration_seconds_count{${labels}} 2`)
    expect(text).toContain(`modelmux_request_duration_seconds_bucket{${labels},le="+Inf"} 2`)
    expect(text).toContain('# TYPE modelmux_cache_read_tokens_total counter')
    expect((await env.get('/metrics', { cookie: env.cookie })).status).toBe(200)
  })
})

describe('request logs', () => {
  test('redaction of headers, URLs and bodies', () => {
    expect(redactHeaders({ authorization: 'Bearer sk-abc', 'x-api-key': 'k', 'x-goog-api-key': 'g', 'content-type': 'application/json' })).toEqual({
      authorization: '[redacted]', 'x-api-key': '[redacted]', 'x-goog-api-key': '[redacted]', 'content-type': 'application/json',
    })
    expect(redactUrl('http://127.0.0.1:9/v1beta/models/x:generateContent?key=AIzaSecret&alt=sse')).toBe('http://127.0.0.1:9/v1beta/models/x:generateContent?key=%5Bredacted%5D&alt=sse')
    expect(JSON.parse(redactBody('{"model":"m","api_key":"abc","nested":{"refresh_token":"r","max_tokens":5},"text":"use sk-proj-ABCDEFGH12345678 now"}'))).toEqual({
      model: 'm', api_key: '[redacted]', nested: { refresh_token: '[redacted]', max_tokens: 5 }, text: 'use [redacted] now',
    })
    expect(redactBody('data: {"x":"Bearer abc.def.ghi-jkl"}\n\n', ['my-own-secret'])).toBe('data: {"x":"Bearer [redacted]"}\n\n')
    expect(redactBody('echo my-own-secret', ['my-own-secret'])).toBe('echo [redacted]')
  })

  test('when enabled, both sides are stored redacted and capped, streamed bodies as they pass; listable and exportable', async () => {
    await using env = await envWithTraffic({ requestLogs: { enabled: true, maxBodyBytes: 2048 } })
    const context = env.context
    const upstreamSecret = 'sk-upstream-openai-secret'
    const relayed = logExchange(
      context,
      { requestId: 'req-1', side: 'upstream', attempt: 1, method: 'POST', url: 'http://127.0.0.1:1/v1/chat/completions', requestHeaders: { authorization: `Bearer ${upstreamSecret}` }, requestBody: JSON.stringify({ model: 'gpt-4.1', big: 'x'.repeat(5000) }), secrets: [upstreamSecret] },
      new Response(new ReadableStream({ start(controller) { controller.enqueue(new TextEncoder().encode(`data: {"echo":"${upstreamSecret}"}\n\n`)); controller.close() } }), { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    )
    expect(await relayed.text()).toBe(`data: {"echo":"${upstreamSecret}"}\n\n`) // the client gets the bytes unchanged
    writeRequestLog(context, { requestId: 'req-1', side: 'client', method: 'POST', url: '/v1/chat/completions?key=AIzaClientKey', requestBody: '{"model":"oa/gpt-4.1"}' }, { status: 200, body: '{"ok":true}' })
    const list = await (await env.get('/api/logs?requestId=req-1')).json()
    expect(list.enabled).toBe(true)
    expect(list.logs.map((log: { side: string; requestBody: unknown }) => [log.side, log.requestBody])).toEqual([['client', null], ['upstream', null]])
    const upstream = await (await env.get(`/api/logs/${list.logs[1].id}`)).json()
    expect(upstream).toMatchObject({ requestId: 'req-1', side: 'upstream', attempt: 1, status: 200, truncated: true, requestHeaders: { authorization: '[redacted]' }, responseBody: 'data: {"echo":"[redacted]"}\n\n' })
    expect(upstream.requestBody.length).toBeLessThanOrEqual(2048)
    expect(JSON.stringify(upstream)).not.toContain(upstreamSecret)
    const client = await (await env.get(`/api/logs/${list.logs[0].id}`)).json()
    expect(client.url).toBe('/v1/chat/completions?key=%5Bredacted%5D')
    expect(client.url).not.toContain('AIzaClientKey')
    const exported = await (await env.get('/api/logs/export?format=ndjson')).text()
    expect(exported.trimEnd().split('\n').map((line) => JSON.parse(line)).filter((log) => log.requestId === 'req-1').map((log) => log.side)).toEqual(['upstream', 'client'])
    expect((await (await env.send('DELETE', '/api/logs', {})).json()).deleted).toBeGreaterThanOrEqual(2)
    expect((await env.rows('request_logs'))).toHaveLength(0)
  })

  test('when disabled nothing is stored and the response is passed through as is', async () => {
    await using env = await envWithTraffic()
    const response = new Response('x')
    expect(logExchange(env.context, { requestId: 'r', side: 'client' }, response)).toBe(response)
    writeRequestLog(env.context, { requestId: 'r', side: 'client' }, { body: 'x' })
    expect((await env.rows('request_logs'))).toHaveLength(0)
  })
})
