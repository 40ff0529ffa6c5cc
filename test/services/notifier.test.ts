import { describe, expect, test } from 'bun:test'
import { clearBudgetCache } from '../../src/services/budgets'
import { currentAlerts } from '../../src/services/notifier'
import { startTestServer } from '../helpers/test-server'
import { postJson, startUpstreamPair } from '../helpers/upstream-pair'

/** A local stand-in for a Slack or Discord webhook: keeps what it was sent. */
function startWebhook() {
  const received: Record<string, unknown>[] = []
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: async (request) => (received.push(await request.json()), new Response('ok')) })
  return { url: `http://127.0.0.1:${server.port}/hook`, received, [Symbol.asyncDispose]: () => server.stop(true) }
}

const chatAnswer = JSON.stringify({ id: 'c1', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 40, completion_tokens: 20 } })

describe('account problems reach the webhook', () => {
  test('a refused key, a long quota cooldown and a spent budget are each sent once, and their end too', async () => {
    await using hook = startWebhook()
    await using pair = await startUpstreamPair((url) => ({
      connections: [
        { name: 'claude-work', provider: 'anthropic-compatible', prefix: 'cw', baseUrl: `${url}/v1`, apiKey: 'sk-revoked' },
        { name: 'glm-plan', provider: 'openai-compatible', prefix: 'glm', baseUrl: `${url}/v1`, apiKey: 'sk-up' },
        { name: 'cheap', provider: 'openai-compatible', prefix: 'ch', baseUrl: `${url}/v1`, apiKey: 'sk-up' },
      ],
      settings: { notifications: { webhookUrl: hook.url }, budgets: [{ connection: 'cheap', window: 'daily', maxTokens: 50 }] },
    }))
    const { server } = pair.modelmux
    expect(await server.notifier.check()).toBe(0)
    pair.upstream.reply((request) => {
      const model = JSON.parse(request.body).model
      if (request.path.endsWith('/messages')) return { status: 401, parts: ['{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}'] }
      if (model === 'glm-4.7') return { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '7200' }, parts: ['{"error":{"message":"weekly quota exhausted","type":"rate_limit"}}'] }
      return { parts: [chatAnswer] }
    })
    // Each answer is read to its end: a request is recorded when its answer has gone out, not when its headers did.
    await (await postJson(`${pair.modelmux.url}/v1/messages`, { model: 'cw/claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })).text()
    await (await postJson(`${pair.modelmux.url}/v1/chat/completions`, { model: 'glm/glm-4.7', messages: [{ role: 'user', content: 'hi' }] })).text()
    const cheap = await postJson(`${pair.modelmux.url}/v1/chat/completions`, { model: 'ch/small', messages: [{ role: 'user', content: 'hi' }] })
    expect(`${cheap.status} ${await cheap.text()}`).toStartWith('200 ')
    await server.context.usage.flush()
    // Budget sums are cached for a second (routing read one just before the request); the notifier checks each minute.
    clearBudgetCache(server.context.db)

    expect(currentAlerts(server.context).map((alert) => alert.kind).sort()).toEqual(["budget", "quota", "relogin"])
    expect(await server.notifier.check()).toBe(3)
    const texts = hook.received.map((message) => message.text as string).sort()
    expect(texts[0]).toMatch(/^modelmux: cheap reached its daily budget; it is skipped until \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/)
    expect(texts[1]).toBe('modelmux: claude-work (Anthropic-compatible) needs a new login or key: credential refused (401).')
    expect(texts[2]).toMatch(/^modelmux: glm-plan \(OpenAI-compatible\) is out of quota until .+ UTC: /)
    const quota = hook.received.find((message) => message.event === 'quota')!
    expect(quota).toMatchObject({ resolved: false, subject: 'glm-plan', content: quota.text })
    // Nothing new: nothing sent.
    expect(await server.notifier.check()).toBe(0)

    // The cooldown is cleared from the dashboard: the end of the problem is sent.
    server.context.health.clear(server.context.registry.connections.find(({ connection }) => connection.name === 'glm-plan')!.connection.id)
    expect(await server.notifier.check()).toBe(1)
    expect(hook.received.at(-1)).toMatchObject({ event: 'quota', resolved: true, text: 'modelmux: glm-plan serves requests again.' })
  })

  test('a budget past its warning share is sent once; reaching it then is sent as reached, and the warning never as over', async () => {
    await using hook = startWebhook()
    await using pair = await startUpstreamPair((url) => ({
      connections: [{ name: 'cheap', provider: 'openai-compatible', prefix: 'ch', baseUrl: `${url}/v1`, apiKey: 'sk-up' }],
      settings: { notifications: { webhookUrl: hook.url }, budgets: [{ connection: 'cheap', window: 'daily', maxTokens: 100, warnAt: 0.5 }] },
    }))
    const { server } = pair.modelmux
    expect(await server.notifier.check()).toBe(0)
    pair.upstream.reply({ parts: [chatAnswer] })
    const ask = async () => {
      await (await postJson(`${pair.modelmux.url}/v1/chat/completions`, { model: 'ch/small', messages: [{ role: 'user', content: 'hi' }] })).text()
      await server.context.usage.flush()
      clearBudgetCache(server.context.db)
    }
    await ask()
    const used = (await server.context.db.query('SELECT input_tokens + output_tokens AS tokens FROM usage_events').get() as { tokens: number }).tokens
    expect(used).toBeGreaterThanOrEqual(50)
    expect(used).toBeLessThan(100)
    expect(await server.notifier.check()).toBe(1)
    expect(hook.received[0]).toMatchObject({ event: 'budget-warning', resolved: false, subject: 'cheap daily' })
    expect(hook.received[0].text).toMatch(new RegExp(`^modelmux: cheap has used ${Math.floor(used)}% of its daily budget \\(${used} of 100 tokens\\); it is skipped once it reaches it, until .+ UTC\\.$`))
    expect(await server.notifier.check()).toBe(0)
    await ask()
    // Reached: that is sent; the warning lapses without a message of its own.
    expect(await server.notifier.check()).toBe(1)
    expect(hook.received.map((message) => message.event)).toEqual(['budget-warning', 'budget'])
  })

  test('a short cooldown is no news, but one already reported stays reported until it ends, however little is left', async () => {
    await using modelmux = await startTestServer({ connections: [{ name: 'glm-plan', provider: 'openai-compatible', prefix: 'glm', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k' }] })
    const context = modelmux.server.context
    const id = context.registry.connections[0].connection.id
    context.health.failed(id, 'glm-4.7', { class: 'rate-limit', perModel: false, reason: 'rate limited (429)', resetAt: context.now() + 10 * 60_000 })
    expect(currentAlerts(context)).toEqual([])
    expect(currentAlerts(context, context.now(), new Set(['quota\u0000glm-plan'])).map((alert) => alert.kind)).toEqual(['quota'])
    context.health.clear(id)
    expect(currentAlerts(context, context.now(), new Set(['quota\u0000glm-plan']))).toEqual([])
  })
})
