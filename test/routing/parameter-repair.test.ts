import { describe, expect, test } from 'bun:test'
import type { ReceivedRequest } from '../helpers/fake-upstream'
import { postJson, startUpstreamPair } from '../helpers/upstream-pair'
import { client, signIn } from '../dashboard/helpers'

const chatAnswer = JSON.stringify({ id: 'c1', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1 } })
const anthropicAnswer = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 1 } })
const sent = (request: ReceivedRequest) => JSON.parse(request.body)

/** Fake providers with the strict habits of real ones: newer Claude models, OpenAI reasoning models, a pydantic-validated server. */
function strictUpstream(request: ReceivedRequest) {
  const body = sent(request)
  if (request.path.endsWith('/messages')) {
    if (body.temperature !== undefined && body.top_p !== undefined) return { status: 400, parts: [JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: '`temperature` and `top_p` cannot both be specified for this model. Please use only one.' } })] }
    return { parts: [anthropicAnswer] }
  }
  if (body.model === 'strict-vllm' && body.stream_options !== undefined) return { status: 422, parts: [JSON.stringify({ detail: [{ type: 'extra_forbidden', loc: ['body', 'stream_options'], msg: 'Extra inputs are not permitted' }] })] }
  if (body.model === 'o-reasoner') {
    if (body.max_tokens !== undefined) return { status: 400, parts: [JSON.stringify({ error: { message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", type: 'invalid_request_error', param: 'max_tokens', code: 'unsupported_parameter' } })] }
    if (body.temperature !== undefined) return { status: 400, parts: [JSON.stringify({ error: { message: `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`, type: 'invalid_request_error', param: 'temperature', code: 'unsupported_value' } })] }
  }
  if (body.stream) return { headers: { 'content-type': 'text/event-stream' }, parts: [`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] })}\n\n`, 'data: [DONE]\n\n'] }
  return { parts: [chatAnswer] }
}

function start() {
  return startUpstreamPair((url) => ({
    connections: [
      { name: 'oa', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${url}/v1`, apiKey: 'sk-up' },
      { name: 'an', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${url}/v1`, apiKey: 'sk-up' },
    ],
  }))
}

describe('parameters the upstream refuses are left out or renamed, and remembered', () => {
  test('an OpenAI client with temperature and top_p, to a Claude model that takes only one: top_p goes; the next request goes right at once', async () => {
    await using pair = await start()
    pair.upstream.reply(strictUpstream)
    const body = { model: 'an/claude-sonnet-4-6', temperature: 0.2, top_p: 0.9, messages: [{ role: 'user', content: 'hi' }] }
    const first = await postJson(`${pair.modelmux.url}/v1/chat/completions`, body)
    expect([first.status, first.headers.get('x-modelmux-attempts')]).toEqual([200, '2'])
    const second = await postJson(`${pair.modelmux.url}/v1/chat/completions`, body)
    expect([second.status, second.headers.get('x-modelmux-attempts')]).toEqual([200, '1'])
    expect(pair.upstream.received.map((request) => [sent(request).temperature, sent(request).top_p])).toEqual([[0.2, 0.9], [0.2, undefined], [0.2, undefined]])
    // top_p alone is still sent: the model only refuses the pair.
    await postJson(`${pair.modelmux.url}/v1/chat/completions`, { ...body, temperature: undefined })
    expect(sent(pair.upstream.received.at(-1)!).top_p).toBe(0.9)
  })

  test('a reasoning model: max_tokens renamed, then temperature left out, in one client request', async () => {
    await using pair = await start()
    pair.upstream.reply(strictUpstream)
    const response = await postJson(`${pair.modelmux.url}/v1/chat/completions`, { model: 'oa/o-reasoner', max_tokens: 500, temperature: 0, messages: [{ role: 'user', content: 'hi' }] })
    expect([response.status, response.headers.get('x-modelmux-attempts')]).toEqual([200, '3'])
    expect(sent(pair.upstream.received.at(-1)!)).toEqual({ model: 'o-reasoner', max_completion_tokens: 500, messages: [{ role: 'user', content: 'hi' }] })
    // The Providers page says what was learned, under the connection.
    const page = await (await client(pair.modelmux.url, await signIn(pair.modelmux.url)).page('/dashboard/providers')).text()
    expect(page).toContain('Learned from its errors (2)')
    expect(page).toContain('o-reasoner refuses &quot;max_tokens&quot; (it wants &quot;max_completion_tokens&quot;): it is renamed.')
    expect(page).toContain('o-reasoner refuses &quot;temperature&quot;: it is left out.')
  })

  test('a strict server refusing the stream_options modelmux adds when translating: streamed again without them', async () => {
    await using pair = await start()
    pair.upstream.reply(strictUpstream)
    const response = await postJson(`${pair.modelmux.url}/v1/messages`, { model: 'oa/strict-vllm', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('message_stop')
    expect(pair.upstream.received.map((request) => sent(request).stream_options)).toEqual([{ include_usage: true }, undefined])
  })

  test('a fix another request learned while this one was on its way is still retried with', async () => {
    await using pair = await start()
    const context = pair.modelmux.server.context
    const connectionId = context.registry.connections.find(({ connection }) => connection.name === 'oa')!.connection.id
    pair.upstream.reply((request) => {
      const body = sent(request)
      if (body.temperature === undefined) return { parts: [chatAnswer] }
      // A concurrent request has just learned the fix; this one was sent before it.
      context.quirks.learnRepair(connectionId, 'o-racer', { drop: 'temperature' })
      return { status: 400, parts: [JSON.stringify({ error: { message: `Unsupported value: 'temperature' does not support ${body.temperature} with this model.`, type: 'invalid_request_error', param: 'temperature', code: 'unsupported_value' } })] }
    })
    const response = await postJson(`${pair.modelmux.url}/v1/chat/completions`, { model: 'oa/o-racer', temperature: 0.3, messages: [{ role: 'user', content: 'hi' }] })
    expect([response.status, response.headers.get('x-modelmux-attempts')]).toEqual([200, '2'])
  })
})
