import { describe, expect, test } from 'bun:test'
import { client, signIn } from '../dashboard/helpers'
import { startTestServer } from '../helpers/test-server'

function start() {
  return startTestServer({
    connections: [
      { name: 'glm-plan', provider: 'openai-compatible', prefix: 'glm', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k' },
      { name: 'ds-api', provider: 'openai-compatible', prefix: 'ds', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k' },
    ],
    combos: [{ name: 'stack', models: ['glm/glm-4.7', 'ds/deepseek-chat'] }],
    aliases: { fast: 'stack' },
    settings: {
      routing: { modelMapping: [{ match: 'claude-*', target: 'fast' }], scenarios: [{ when: 'long-context', minTokens: 100000, model: 'ds/deepseek-chat', match: 'claude-*' }] },
      budgets: [{ connection: 'ds-api', window: 'daily', maxTokens: 1 }],
    },
  })
}

describe('where does a name go', () => {
  test('the resolution steps, the scenario that could apply, and each candidate ready or passed over with why; nothing changes', async () => {
    await using modelmux = await start()
    const context = modelmux.server.context
    const glm = context.registry.connections.find(({ connection }) => connection.name === 'glm-plan')!.connection.id
    context.health.failed(glm, 'glm-4.7', { class: 'rate-limit', perModel: false, reason: 'usage_limit_reached', resetAt: context.now() + 3_600_000 })
    const api = client(modelmux.url, await signIn(modelmux.url))
    const explained = await (await api.json('GET', '/api/route?model=claude-sonnet-4-6')).json()
    expect(explained.steps).toEqual([
      '"claude-sonnet-4-6" matches the model mapping "claude-*" → "fast"',
      '"fast" is an alias of "stack"',
      '"stack" is a combo (in order): glm/glm-4.7, ds/deepseek-chat',
      '"glm/glm-4.7" goes to glm-plan',
      '"ds/deepseek-chat" goes to ds-api',
    ])
    expect(explained.scenarios).toEqual(['a request that has a long prompt (100,000+ tokens) goes to "ds/deepseek-chat"'])
    expect(explained.candidates).toEqual([
      { model: 'glm/glm-4.7', connection: 'glm-plan', provider: 'openai-compatible', skip: 'cooling down: usage_limit_reached', until: expect.any(Number) },
      // The budget has room: 1 token a day, none spent yet.
      { model: 'ds/deepseek-chat', connection: 'ds-api', provider: 'openai-compatible' },
    ])
    // Read-only: the cooldown and the counters are as they were.
    expect(context.health.state(glm).state).toBe('cooling-down')
    expect(await (await api.json('GET', '/api/route?model=nope')).json()).toMatchObject({ steps: ['"nope" is not configured: no alias, combo, prefix or model mapping matches it'], candidates: [] })
    expect((await api.json('GET', '/api/route')).status).toBe(400)
  })

  test('the Combos page explains a name, as a fragment for htmx and as a whole page without JavaScript', async () => {
    await using modelmux = await start()
    const pages = client(modelmux.url, await signIn(modelmux.url))
    const fragment = await (await pages.page('/dashboard/route?model=fast', true)).text()
    expect(fragment).toStartWith('<section class="card" id="route">')
    expect(fragment).toContain('1. glm/glm-4.7 via glm-plan (openai-compatible) ')
    expect(fragment).toContain('<span class="badge badge-ok">ready</span>')
    const page = await (await pages.page('/dashboard/route?model=%3Cb%3E')).text()
    expect(page).toContain('<h1 class="page-title">Combos</h1>')
    expect(page).toContain('&quot;&lt;b&gt;&quot; is not configured')
    // The typed name appears raw only inside the quoted value attribute, where only a quote (escaped) could end it.
    expect(page.split('<b>')).toHaveLength(2)
    expect(page).toContain('value="<b>"')
  })
})
