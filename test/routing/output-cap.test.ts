import { describe, expect, test } from 'bun:test'
import type { ReceivedRequest } from '../helpers/fake-upstream'
import { postJson, startUpstreamPair } from '../helpers/upstream-pair'

const chatAnswer = JSON.stringify({ id: 'c1', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1 } })
const anthropicAnswer = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 1 } })
const geminiAnswer = JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1 } })
const refuse = (message: string) => ({ status: 400, parts: [JSON.stringify({ error: { message, type: 'invalid_request_error', code: 'invalid_request_error' } })] })
const sent = (request: ReceivedRequest) => JSON.parse(request.body)

/** A fake provider that refuses more than `limit` output tokens with its own message, like DeepSeek, OpenAI, Anthropic and Gemini do. */
function strictUpstream(request: ReceivedRequest) {
  const body = sent(request)
  if (request.path.includes(':generateContent')) {
    const asked = body.generationConfig?.maxOutputTokens
    return asked > 65536 ? refuse(`Unable to submit request because it has a maxOutputTokens value of ${asked} but the supported range is from 1 (inclusive) to 65537 (exclusive).`) : { parts: [geminiAnswer] }
  }
  if (request.path.endsWith('/messages')) {
    if (body.max_tokens > 32000) return refuse(`max_tokens: ${body.max_tokens} > 32000, which is the maximum allowed number of output tokens for ${body.model}`)
    if (body.thinking && body.thinking.budget_tokens >= body.max_tokens) return refuse('`max_tokens` must be greater than `thinking.budget_tokens`')
    return { parts: [anthropicAnswer] }
  }
  if (body.model === 'long-prompt') {
    const asked = body.max_tokens ?? body.max_completion_tokens
    return asked > 7935 ? refuse(`This model's maximum context length is 131072 tokens. However, you requested ${123137 + asked} tokens (123137 in the messages, ${asked} in the completion).`) : { parts: [chatAnswer] }
  }
  const asked = body.max_completion_tokens ?? body.max_tokens
  if (asked > 8192) return refuse('Invalid max_tokens value, the valid range of max_tokens is [1, 8192]')
  return { parts: [chatAnswer] }
}

function start() {
  return startUpstreamPair((url) => ({
    connections: [
      { name: 'ds', provider: 'openai-compatible', prefix: 'ds', baseUrl: `${url}/v1`, apiKey: 'sk-up' },
      { name: 'an', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${url}/v1`, apiKey: 'sk-up' },
      { name: 'ge', provider: 'gemini-compatible', prefix: 'ge', baseUrl: `${url}/v1beta`, apiKey: 'sk-up' },
    ],
  }))
}

const claude = (model: string, extra: Record<string, unknown> = {}) => ({ model, max_tokens: 32000, messages: [{ role: 'user', content: 'hi' }], ...extra })
const anthropicHeaders = { 'anthropic-version': '2023-06-01' }

describe('output-token caps named by the upstream', () => {
  test('Claude Code asking DeepSeek for 32000 output tokens: sent again within 8192, and from then on at once', async () => {
    await using pair = await start()
    pair.upstream.reply(strictUpstream)
    const first = await postJson(`${pair.modelmux.url}/v1/messages`, claude('ds/deepseek-chat'), anthropicHeaders)
    expect(first.status).toBe(200)
    expect(first.headers.get('x-modelmux-output-cap')).toBe('8192')
    expect(first.headers.get('x-modelmux-attempts')).toBe('2')
    expect(pair.upstream.received.map((request) => sent(request).max_tokens)).toEqual([32000, 8192])
    const second = await postJson(`${pair.modelmux.url}/v1/messages`, claude('ds/deepseek-chat'), anthropicHeaders)
    expect(second.status).toBe(200)
    expect(second.headers.get('x-modelmux-attempts')).toBe('1')
    expect(second.headers.get('x-modelmux-output-cap')).toBe('8192')
    expect(pair.upstream.received.map((request) => sent(request).max_tokens)).toEqual([32000, 8192, 8192])
    // A request within the cap goes as it is, without the header.
    const small = await postJson(`${pair.modelmux.url}/v1/messages`, claude('ds/deepseek-chat', { max_tokens: 1000 }), anthropicHeaders)
    expect(small.headers.get('x-modelmux-output-cap')).toBeNull()
    expect(sent(pair.upstream.received.at(-1)!).max_tokens).toBe(1000)
    await pair.modelmux.server.context.usage.flush()
    const trace = pair.modelmux.server.context.db.query('SELECT status, failure_class FROM attempts ORDER BY id').all()
    expect(trace).toEqual([{ status: 400, failure_class: 'client' }, { status: 200, failure_class: null }])
  })

  test('same-format requests: the field each format uses is lowered, an Anthropic thinking budget with it; nothing else changes', async () => {
    await using pair = await start()
    pair.upstream.reply(strictUpstream)
    const chat = await postJson(`${pair.modelmux.url}/v1/chat/completions`, { model: 'ds/deepseek-chat', max_completion_tokens: 20000, messages: [{ role: 'user', content: 'hi' }], temperature: 0.3 })
    expect(chat.status).toBe(200)
    expect(sent(pair.upstream.received.at(-1)!)).toEqual({ model: 'deepseek-chat', max_completion_tokens: 8192, messages: [{ role: 'user', content: 'hi' }], temperature: 0.3 })

    const thinking = await postJson(`${pair.modelmux.url}/v1/messages`, claude('an/claude-opus-4', { max_tokens: 64000, thinking: { type: 'enabled', budget_tokens: 50000 } }), anthropicHeaders)
    expect(thinking.status).toBe(200)
    expect(thinking.headers.get('x-modelmux-output-cap')).toBe('32000')
    expect(sent(pair.upstream.received.at(-1)!)).toMatchObject({ max_tokens: 32000, thinking: { type: 'enabled', budget_tokens: 31999 } })

    const gemini = await postJson(`${pair.modelmux.url}/v1beta/models/ge/gemini-2.5-pro:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 100000, temperature: 1 } })
    expect(gemini.status).toBe(200)
    expect(sent(pair.upstream.received.at(-1)!).generationConfig).toEqual({ maxOutputTokens: 65536, temperature: 1 })
  })

  test('a cap from what a long prompt leaves of the window applies to that request only; other 400s return at once', async () => {
    await using pair = await start()
    pair.upstream.reply(strictUpstream)
    const body = { model: 'ds/long-prompt', max_tokens: 8192, messages: [{ role: 'user', content: 'hi' }] }
    const first = await postJson(`${pair.modelmux.url}/v1/chat/completions`, body)
    expect([first.status, first.headers.get('x-modelmux-output-cap')]).toEqual([200, '7935'])
    await postJson(`${pair.modelmux.url}/v1/chat/completions`, body)
    expect(pair.upstream.received.map((request) => sent(request).max_tokens)).toEqual([8192, 7935, 8192, 7935])

    pair.upstream.reply(refuse('messages: roles must alternate'))
    const plain = await postJson(`${pair.modelmux.url}/v1/chat/completions`, { ...body, model: 'ds/other' })
    expect(plain.status).toBe(400)
    expect(pair.upstream.received).toHaveLength(5)
  })

  test('a long prompt that leaves almost no room in one model goes to the next model of the combo instead of a cut-off answer', async () => {
    await using pair = await startUpstreamPair((url) => ({
      connections: [{ name: 'ds', provider: 'openai-compatible', prefix: 'ds', baseUrl: `${url}/v1`, apiKey: 'sk-up' }],
      combos: [{ name: 'stack', models: ['ds/small-window', 'ds/big-window'] }],
    }))
    pair.upstream.reply((request) => {
      const body = sent(request)
      if (body.model === 'small-window') return refuse(`This model's maximum context length is 131072 tokens. However, you requested ${131000 + body.max_tokens} tokens (131000 in the messages, ${body.max_tokens} in the completion).`)
      return { parts: [chatAnswer] }
    })
    const response = await postJson(`${pair.modelmux.url}/v1/chat/completions`, { model: 'stack', max_tokens: 8192, messages: [{ role: 'user', content: 'hi' }] })
    expect([response.status, response.headers.get('x-modelmux-model')]).toEqual([200, 'ds/big-window'])
    expect(pair.upstream.received.map((request) => [sent(request).model, sent(request).max_tokens])).toEqual([['small-window', 8192], ['big-window', 8192]])
  })
})
