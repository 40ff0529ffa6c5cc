import { describe, expect, test } from 'bun:test'
import { anthropicParts, cut, event, health, lastMessage, openaiParts, readAnthropic, readOpenAI, sse, timeouts, words } from '../helpers/carry-on-streams'
import { startFakeUpstream } from '../helpers/fake-upstream'
import { startTestServer } from '../helpers/test-server'

/** A thinking block at index 0; with a signature it is finished, without one it is cut off after its text. */
function thinkingParts(thinking: string, signature?: string): string[] {
  const opened = [
    event({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
    event({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking } }),
  ]
  if (signature === undefined) return opened
  return [...opened, event({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature } }), event({ type: 'content_block_stop', index: 0 })]
}

async function setup(routing: Record<string, unknown> = {}) {
  const primary = startFakeUpstream()
  const fallback = startFakeUpstream()
  const openai = startFakeUpstream()
  const openaiBackup = startFakeUpstream()
  const modelmux = await startTestServer(
    {
      connections: [
        { name: 'primary', provider: 'anthropic-compatible', prefix: 'a', baseUrl: `${primary.url}/v1`, apiKey: 'k1', priority: 1 },
        { name: 'fallback', provider: 'anthropic-compatible', prefix: 'a', baseUrl: `${fallback.url}/v1`, apiKey: 'k2', priority: 2 },
        { name: 'openai', provider: 'openai-compatible', prefix: 'p', baseUrl: `${openai.url}/v1`, apiKey: 'k3', priority: 1 },
        { name: 'openai-backup', provider: 'openai-compatible', prefix: 'p', baseUrl: `${openaiBackup.url}/v1`, apiKey: 'k4', priority: 2 },
      ],
      combos: [{ name: 'mix', models: ['p/gpt', 'a/claude'] }],
      settings: { timeouts, routing },
    },
    {},
    { health },
  )
  const post = (path: string, body: Record<string, unknown>) =>
    fetch(`${modelmux.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'context-1m-2025-08-07' }, body: JSON.stringify(body) })
  return {
    primary,
    fallback,
    openai,
    openaiBackup,
    modelmux,
    messages: (body: Record<string, unknown> = {}) => post('/v1/messages', { model: 'a/claude', max_tokens: 500, stream: true, messages: [{ role: 'user', content: 'Why trust a gateway?' }], ...body }),
    chat: (body: Record<string, unknown> = {}) => post('/v1/chat/completions', { model: 'p/gpt', stream: true, messages: [{ role: 'user', content: 'Why trust a gateway?' }], ...body }),
    rows: async (table: 'usage_events' | 'attempts') => {
      await modelmux.server.context.usage.flush()
      return modelmux.server.context.db.query(`SELECT * FROM ${table} ORDER BY id`).all() as Record<string, any>[]
    },
    connectionId: (name: string) => modelmux.server.context.registry.connections.find((c) => c.connection.name === name)!.connection.id,
    async [Symbol.asyncDispose]() {
      await modelmux[Symbol.asyncDispose]()
      for (const server of [primary, fallback, openai, openaiBackup]) await server[Symbol.asyncDispose]()
    },
  }
}

describe('an answer whose upstream breaks after output began is carried on', () => {
  test('an Anthropic answer cut mid-stream goes on through the next account, from the text already sent', async () => {
    await using env = await setup()
    env.primary.reply({ headers: sse, parts: [...anthropicParts(['The holiday ', 'is called ', 'Lantern Day.\n\n'], false), ...cut] })
    env.fallback.reply({ headers: sse, parts: anthropicParts(['\n\nFamilies hang ', 'lanterns.']) })
    const response = await env.messages()
    expect(response.status).toBe(200)
    const answer = readAnthropic(await response.text())
    expect(answer.problems).toEqual([])
    expect(answer.text).toBe('The holiday is called Lantern Day.\n\nFamilies hang lanterns.')
    expect(answer.indexes).toEqual([0])
    expect(answer.events.filter((event) => event.event === 'message_start')).toHaveLength(1)
    expect(answer.events.some((event) => event.event === 'error')).toBe(false)
    // The next account was asked to go on from the text, without its trailing whitespace (Anthropic refuses that).
    expect(env.fallback.received).toHaveLength(1)
    expect(JSON.stringify(lastMessage(env.fallback.received[0]))).toBe(JSON.stringify({ role: 'assistant', content: [{ type: 'text', text: 'The holiday is called Lantern Day.' }] }))
    // Asked as the client asked: its beta features go along; its output limit less what was already sent (36
    // characters are at least 6 tokens), so the whole answer stays within it.
    expect(env.fallback.received[0].headers['anthropic-beta']).toBe('context-1m-2025-08-07')
    expect(JSON.parse(env.fallback.received[0].body).max_tokens).toBe(494)
    const [usage] = await env.rows('usage_events')
    expect(usage).toMatchObject({ status: 200, connection_id: env.connectionId('fallback'), attempts: 2, error: null })
    // Both calls are billed: the usage is theirs added up (12 + 12 in; what the cut one had reported out, 1, plus 9).
    expect(usage).toMatchObject({ input_tokens: 24, output_tokens: 10 })
    const attempts = await env.rows('attempts')
    expect(attempts.map((attempt) => [attempt.connection_id, attempt.status])).toEqual([
      [env.connectionId('primary'), 502],
      [env.connectionId('fallback'), 200],
    ])
    expect(attempts[0].reason).toStartWith('broke mid-answer: primary: ')
    // Operators see both in /metrics: the break, by the connection that broke, and the rescue, by the one that finished.
    const metrics = env.modelmux.server.context.usage.metrics.render((id) => (id === env.connectionId('primary') ? 'primary' : id === env.connectionId('fallback') ? 'fallback' : undefined))
    expect(metrics).toContain('modelmux_stream_breaks_total{provider="anthropic-compatible",connection="primary",model="a/claude"} 1')
    expect(metrics).toContain('modelmux_streams_carried_on_total{provider="anthropic-compatible",connection="fallback",model="a/claude"} 1')
  })

  test('an answer that thought first goes on from its text, asked without thinking (Anthropic refuses a prefill with it)', async () => {
    await using env = await setup()
    const [messageStart] = anthropicParts([], false) as string[]
    env.primary.reply({
      headers: sse,
      parts: [
        messageStart,
        ...thinkingParts('Lanterns, then.', 'sig-1'),
        event({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
        event({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Lantern Day is' } }),
        ...cut,
      ],
    })
    env.fallback.reply({ headers: sse, parts: anthropicParts([' in spring.']) })
    const answer = readAnthropic(await (await env.messages({ thinking: { type: 'enabled', budget_tokens: 2048 } })).text())
    expect(answer.problems).toEqual([])
    expect(answer.text).toBe('Lantern Day is in spring.')
    expect(answer.indexes).toEqual([0, 1])
    const asked = JSON.parse(env.fallback.received[0].body)
    expect(asked.thinking).toEqual({ type: 'disabled' })
    expect(asked.messages.at(-1)).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Lantern Day is' }] })
  })

  test('an answer cut off in the middle of its thinking is not carried on', async () => {
    await using env = await setup()
    const [messageStart] = anthropicParts([], false) as string[]
    env.primary.reply({ headers: sse, parts: [messageStart, ...thinkingParts('Lanterns'), ...cut] })
    const text = await (await env.messages({ thinking: { type: 'enabled', budget_tokens: 2048 } })).text()
    expect(text).toContain('event: error')
    expect(env.fallback.received).toHaveLength(0)
  })

  test('an overloaded error mid-stream is carried on the same way and never reaches the client', async () => {
    await using env = await setup()
    const overloaded = `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`
    env.primary.reply({ headers: sse, parts: [...anthropicParts(['Lanterns ', 'are lit'], false), overloaded] })
    env.fallback.reply({ headers: sse, parts: anthropicParts([' at dusk.']) })
    const answer = readAnthropic(await (await env.messages()).text())
    expect(answer.problems).toEqual([])
    expect(answer.text).toBe('Lanterns are lit at dusk.')
    expect(answer.events.some((event) => event.event === 'error')).toBe(false)
  })

  test('a stream that simply ends before its answer did is a break, not an answer', async () => {
    await using env = await setup()
    env.primary.reply({ headers: sse, parts: anthropicParts(['Half an'], false) })
    env.fallback.reply({ headers: sse, parts: anthropicParts([' answer, made whole.']) })
    const answer = readAnthropic(await (await env.messages()).text())
    expect(answer.problems).toEqual([])
    expect(answer.text).toBe('Half an answer, made whole.')
  })

  test('an OpenAI stream that ends with [DONE] but no finish_reason (some servers) is a finished answer, not a break', async () => {
    await using env = await setup()
    env.openai.reply({ headers: sse, parts: [...openaiParts(words, false), 'data: [DONE]\n\n'] })
    const received = readOpenAI(await (await env.chat()).text())
    expect(received).toMatchObject({ content: words.join(''), error: undefined, done: true })
    expect(env.openaiBackup.received).toHaveLength(0)
  })

  test('an OpenAI answer cut mid-stream is restarted elsewhere and joined where the client is', async () => {
    await using env = await setup()
    env.openai.reply({ headers: sse, parts: [...openaiParts(words.slice(0, 8), false), ...cut] })
    env.openaiBackup.reply({ headers: sse, parts: openaiParts(words) })
    const received = readOpenAI(await (await env.chat()).text())
    expect(received.content).toBe(words.join(''))
    expect(received.error).toBeUndefined()
    expect(received.done).toBe(true)
    // An OpenAI upstream takes no prefill: it was asked the question as it was.
    expect(lastMessage(env.openaiBackup.received[0]).role).toBe('user')
  })

  test('an answer that breaks again while carried on is carried on from everything the client has by then', async () => {
    await using env = await setup()
    let calls = 0
    env.openai.reply({ headers: sse, parts: [...openaiParts(words.slice(0, 3), false), ...cut] })
    env.openaiBackup.reply(() => ({ headers: sse, parts: ++calls === 1 ? [...openaiParts(words.slice(0, 7), false), ...cut] : openaiParts(words) }))
    const received = readOpenAI(await (await env.chat()).text())
    expect(received.content).toBe(words.join(''))
    expect(received.error).toBeUndefined()
    expect(env.openaiBackup.received).toHaveLength(2)
  })

  test('a stalled stream is carried on by the next account, and the silent one is not asked again', async () => {
    await using env = await setup()
    env.openai.reply({ headers: sse, parts: [...openaiParts(words.slice(0, 5), false), { pause: new Promise<void>(() => {}) }] })
    env.openaiBackup.reply({ headers: sse, parts: openaiParts(words) })
    const received = readOpenAI(await (await env.chat()).text())
    expect(received.content).toBe(words.join(''))
    expect(env.openai.received).toHaveLength(1)
  })

  test('an account that refuses a prefill restarts the answer instead', async () => {
    await using env = await setup()
    env.primary.reply({ headers: sse, parts: [...anthropicParts(words.slice(0, 6), false), ...cut] })
    env.fallback.reply((request) =>
      lastMessage(request).role === 'assistant'
        ? { status: 400, parts: [JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'This model does not support assistant message prefill. The conversation must end with a user message.' } })] }
        : { headers: sse, parts: anthropicParts(words) },
    )
    const answer = readAnthropic(await (await env.messages()).text())
    expect(answer.problems).toEqual([])
    expect(answer.text).toBe(words.join(''))
    expect(env.fallback.received.map((request) => lastMessage(request).role)).toEqual(['assistant', 'user'])
    expect((await env.rows('attempts')).map((attempt) => attempt.status)).toEqual([502, 400, 200])
  })

  test('a restart that answers differently is never spliced in: the answer ends in-band', async () => {
    await using env = await setup()
    env.openai.reply({ headers: sse, parts: [...openaiParts(words.slice(0, 4), false), ...cut] })
    env.openaiBackup.reply({ headers: sse, parts: openaiParts(['Something', ' else', ' entirely']) })
    const received = readOpenAI(await (await env.chat()).text())
    expect(received.content).toBe(words.slice(0, 4).join(''))
    expect(received.error?.message).toContain('openai')
    expect(received.done).toBe(false)
    const [usage] = await env.rows('usage_events')
    expect(usage.status).toBeGreaterThanOrEqual(500)
    // One break (the first account's); the restart that went astray did not break, and nothing was carried on.
    const attempts = await env.rows('attempts')
    expect(attempts.map((attempt) => attempt.reason.startsWith('broke mid-answer'))).toEqual([true, false])
    expect(attempts[1].reason).toContain('the answer could not be carried on: the new answer does not begin with the text already sent')
    const metrics = env.modelmux.server.context.usage.metrics.render()
    expect(metrics.match(/^modelmux_stream_breaks_total\{.*$/gm)).toEqual([`modelmux_stream_breaks_total{provider="openai-compatible",connection="${env.connectionId('openai')}",model="p/gpt"} 1`])
    expect(metrics).not.toContain('modelmux_streams_carried_on_total{')
  })

  test('an account whose half-open probe was a restart that went astray is not left waiting for a verdict', async () => {
    await using env = await setup()
    const { health } = env.modelmux.server.context
    const backup = env.connectionId('openai-backup')
    for (let i = 0; i < 3; i++) health.failed(backup, 'gpt', { class: 'transient', perModel: false, reason: '503' })
    await Bun.sleep(500) // past the circuit's 400 ms: the next request to it is the probe
    env.openai.reply({ headers: sse, parts: [...openaiParts(words.slice(0, 4), false), ...cut] })
    env.openaiBackup.reply({ headers: sse, parts: openaiParts(['Something', ' else']) })
    expect(readOpenAI(await (await env.chat()).text()).error).toBeDefined()
    expect(env.openaiBackup.received).toHaveLength(1)
    expect(health.check(backup, 'gpt')).toBeUndefined()
  })

  test('with carrying on turned off (routing.carryOn: false) a break ends the answer in-band, as before', async () => {
    await using env = await setup({ carryOn: false })
    env.primary.reply({ headers: sse, parts: [...anthropicParts(['Half'], false), ...cut] })
    const text = await (await env.messages()).text()
    expect(text).toContain('event: error')
    expect(env.fallback.received).toHaveLength(0)
  })

  test('a tool call already sent cannot be carried on: the answer ends in-band and nobody else is asked', async () => {
    await using env = await setup()
    env.primary.reply({
      headers: sse,
      parts: [
        ...anthropicParts(['Let me look.'], false),
        event({ type: 'content_block_stop', index: 0 }),
        event({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'read', input: {} } }),
        event({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"path":' } }),
        ...cut,
      ],
    })
    const text = await (await env.messages()).text()
    expect(text).toContain('event: error')
    expect(env.fallback.received).toHaveLength(0)
  })

  test('a translated answer (Anthropic client, OpenAI upstream) is carried on by an Anthropic account from the text', async () => {
    await using env = await setup()
    env.openai.reply({ headers: sse, parts: [...openaiParts(words.slice(0, 7), false), ...cut] })
    env.openaiBackup.reply({ status: 503, parts: ['{"error":{"message":"down"}}'] })
    env.primary.reply({ headers: sse, parts: anthropicParts(words.slice(7)) })
    const answer = readAnthropic(await (await env.messages({ model: 'mix' })).text())
    expect(answer.problems).toEqual([])
    expect(answer.text).toBe(words.join(''))
    expect(lastMessage(env.primary.received[0])).toEqual({ role: 'assistant', content: [{ type: 'text', text: words.slice(0, 7).join('') }] })
  })
})
