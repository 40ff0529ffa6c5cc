import { describe, expect, test } from 'bun:test'
import { postJson, startUpstreamPair } from '../helpers/upstream-pair'

const completion = (model: string) => JSON.stringify({ id: 'c1', object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1 } })
const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

/** A Claude Code-like Anthropic request for `claude-sonnet-4-5`, with extra fields. */
const claude = (content: unknown, extra: Record<string, unknown> = {}) => ({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content }], ...extra })

function startRouter(extraSettings: Record<string, unknown> = {}) {
  return startUpstreamPair((url) => ({
    connections: [{ name: 'oa', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${url}/v1`, apiKey: 'sk-up' }],
    aliases: { big: 'oa/long-model' },
    apiKeys: [{ name: 'narrow', key: 'sk-mm-narrow-key-0123456789' }, { name: 'wide', key: 'sk-mm-wide-key-0123456789ab' }],
    settings: {
      keyLimits: { narrow: { models: ['claude-*', 'oa/default'] } },
      routing: {
        modelMapping: [{ match: 'claude-*', target: 'oa/default' }],
        scenarios: [
          { when: 'web-search', model: 'oa/searcher' },
          { when: 'long-context', minTokens: 2_000, model: 'big' },
          { when: 'images', model: 'oa/vision', match: 'claude-*' },
          // A target nothing serves is passed over (a rule never stops work), so the next rule applies.
          { when: 'thinking', model: 'nope/unconfigured' },
          { when: 'thinking', model: 'oa/thinker' },
        ],
      },
      ...extraSettings,
    },
  }))
}

describe('scenario routing', () => {
  test('each trait sends a Claude Code request to its model, first rule first; the usage row keeps the name asked for', async () => {
    await using pair = await startRouter()
    pair.upstream.reply((request) => ({ parts: [completion(JSON.parse(request.body).model)] }))
    const key = { 'x-api-key': 'sk-mm-wide-key-0123456789ab', 'anthropic-version': '2023-06-01' }
    const send = async (body: unknown) => {
      const response = await postJson(`${pair.modelmux.url}/v1/messages`, body, key)
      expect(response.status).toBe(200)
      await response.text()
      return { upstreamModel: JSON.parse(pair.upstream.received.at(-1)!.body).model, scenario: response.headers.get('x-modelmux-scenario'), served: response.headers.get('x-modelmux-model') }
    }
    expect(await send(claude('hi'))).toEqual({ upstreamModel: 'default', scenario: null, served: 'oa/default' })
    expect(await send(claude('x'.repeat(8_000)))).toEqual({ upstreamModel: 'long-model', scenario: 'long-context', served: 'oa/long-model' })
    expect(await send(claude('x'.repeat(7_900)))).toEqual({ upstreamModel: 'default', scenario: null, served: 'oa/default' })
    expect(await send(claude([{ type: 'text', text: 'what is this?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }]))).toEqual({ upstreamModel: 'vision', scenario: 'images', served: 'oa/vision' })
    expect(await send(claude('think', { thinking: { type: 'enabled', budget_tokens: 1024 } }))).toEqual({ upstreamModel: 'thinker', scenario: 'thinking', served: 'oa/thinker' })
    // Web search comes first in the list, so it wins over thinking.
    const search = claude('news today', { thinking: { type: 'enabled', budget_tokens: 1024 }, tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 8 }] })
    expect(await send(search)).toEqual({ upstreamModel: 'searcher', scenario: 'web-search', served: 'oa/searcher' })

    await pair.modelmux.server.context.usage.flush()
    const rows = pair.modelmux.server.context.db.query('SELECT requested_model, model FROM usage_events ORDER BY id').all()
    expect(rows).toEqual([
      { requested_model: 'claude-sonnet-4-5', model: 'oa/default' },
      { requested_model: 'claude-sonnet-4-5', model: 'oa/long-model' },
      { requested_model: 'claude-sonnet-4-5', model: 'oa/default' },
      { requested_model: 'claude-sonnet-4-5', model: 'oa/vision' },
      { requested_model: 'claude-sonnet-4-5', model: 'oa/thinker' },
      { requested_model: 'claude-sonnet-4-5', model: 'oa/searcher' },
    ])
  })

  test('a rule applies only to the names its pattern matches, and in every client format', async () => {
    await using pair = await startRouter()
    pair.upstream.reply((request) => ({ parts: [completion(JSON.parse(request.body).model)] }))
    const key = { authorization: 'Bearer sk-mm-wide-key-0123456789ab' }
    const image = { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } }
    // The images rule matches claude-* only: an OpenAI client asking for oa/default keeps it.
    const direct = await postJson(`${pair.modelmux.url}/v1/chat/completions`, { model: 'oa/default', messages: [{ role: 'user', content: [image] }] }, key)
    expect([direct.status, direct.headers.get('x-modelmux-scenario'), JSON.parse(pair.upstream.received.at(-1)!.body).model]).toEqual([200, null, 'default'])
    const gemini = await postJson(`${pair.modelmux.url}/v1beta/models/oa/default:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'y'.repeat(9_000) }] }] }, key)
    expect([gemini.status, gemini.headers.get('x-modelmux-scenario'), JSON.parse(pair.upstream.received.at(-1)!.body).model]).toEqual([200, 'long-context', 'long-model'])
    const responses = await postJson(`${pair.modelmux.url}/v1/responses`, { model: 'oa/default', input: 'hi', reasoning: { effort: 'high' } }, key)
    expect([responses.status, responses.headers.get('x-modelmux-scenario'), JSON.parse(pair.upstream.received.at(-1)!.body).model]).toEqual([200, 'thinking', 'thinker'])
  })

  test('a key limited to some models is not routed out of them; a body the router cannot read as chat goes as named', async () => {
    await using pair = await startRouter()
    pair.upstream.reply((request) => ({ parts: [completion(JSON.parse(request.body).model)] }))
    const narrow = { 'x-api-key': 'sk-mm-narrow-key-0123456789', 'anthropic-version': '2023-06-01' }
    const long = await postJson(`${pair.modelmux.url}/v1/messages`, claude('x'.repeat(9_000)), narrow)
    expect([long.status, long.headers.get('x-modelmux-scenario'), JSON.parse(pair.upstream.received.at(-1)!.body).model]).toEqual([200, null, 'default'])
    // Same-format passthrough of a body with an unusual field the canonical form would refuse still works.
    const odd = await postJson(`${pair.modelmux.url}/v1/chat/completions`, { model: 'oa/default', messages: [{ role: 'wizard', content: 'hi' }] }, { authorization: 'Bearer sk-mm-wide-key-0123456789ab' })
    expect(odd.status).toBe(200)
    expect(odd.headers.get('x-modelmux-scenario')).toBeNull()
  })
})
