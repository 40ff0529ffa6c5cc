import { describe, expect, test } from 'bun:test'
import type { FormatId } from '../../src/formats/types'
import { playgroundFormats, readPlaygroundForm, runPlayground, type PlaygroundInput } from '../../src/services/playground'
import { readBody, readChunks } from '../helpers/recorded'
import { client, signIn } from '../dashboard/helpers'
import { recordedJson, recordedStream, startUsageEnv } from '../usage/helpers'

const fixtureText = (JSON.parse(readBody('openai-chat/openai-text.json')) as { choices: { message: { content: string } }[] }).choices[0].message.content
const streamedText = readChunks('openai-chat/openai-text.chunks.txt')
  .map((line) => (JSON.parse(line) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '')
  .join('')

const input = (over: Partial<PlaygroundInput>): PlaygroundInput => ({ model: 'oa/gpt-4.1', format: 'openai-chat', stream: false, system: '', prompt: 'hello there', maxTokens: 64, history: [], ...over })

describe('playground', () => {
  test('every client format, streamed and not, reads the answer an OpenAI upstream gave, with its recorded row; no client key needed', async () => {
    await using env = await startUsageEnv({ requireApiKey: true })
    for (const [format] of playgroundFormats) {
      for (const stream of [false, true]) {
        env.upstreams.openai.reply(stream ? recordedStream('openai-chat/openai-text.chunks.txt', 'openai') : recordedJson('openai-chat/openai-text.json'))
        const result = await runPlayground(env.context, input({ format, stream, system: 'be brief' }))
        const label = `${format} stream=${stream}`
        expect({ label, status: result.status, error: result.error }).toEqual({ label, status: 200, error: undefined })
        expect(result.text).toBe(stream ? streamedText : fixtureText)
        expect(result.servedBy).toBe('oa/gpt-4.1')
        expect(result.finishReason).toBe('stop')
        expect(result.usage?.outputTokens).toBeGreaterThan(0)
        expect(result.timing.totalMs).toBeGreaterThanOrEqual(result.timing.headersMs)
        if (stream) expect(result.timing.firstOutputMs).toBeDefined()
        expect(result.row).toMatchObject({ requestId: result.requestId, inboundFormat: format, stream, status: 200, model: 'oa/gpt-4.1', apiKeyId: null })
        // The upstream got the prompt, the system text and the output cap, translated from the chosen client format.
        const sent = JSON.parse(env.upstreams.openai.received.at(-1)!.body)
        expect(sent.messages.at(-1)).toMatchObject({ role: 'user' })
        expect(JSON.stringify(sent.messages)).toContain('hello there')
        expect(JSON.stringify(sent.messages)).toContain('be brief')
        expect(sent.max_tokens ?? sent.max_completion_tokens).toBe(64)
      }
    }
  })

  test('a combo whose first account is rate-limited falls over; the result carries both attempts', async () => {
    await using env = await startUsageEnv()
    env.upstreams.anthropic.reply({ status: 429, headers: { 'content-type': 'application/json', 'retry-after': '30' }, parts: ['{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}'] })
    env.upstreams.backup.reply(recordedJson('openai-chat/openai-text.json'))
    const result = await runPlayground(env.context, input({ model: 'my-stack', format: 'anthropic-messages' }))
    expect(result.status).toBe(200)
    expect(result.text).toBe(fixtureText)
    expect(result.servedBy).toBe('bk/gpt-4.1')
    expect(result.attempts).toBe(2)
    expect(result.trace.map((attempt) => [attempt.model, attempt.status, attempt.failureClass])).toEqual([
      ['an/claude-sonnet-4-5', 429, 'rate-limit'],
      ['bk/gpt-4.1', 200, null],
    ])
    expect(result.row).toMatchObject({ requestedModel: 'my-stack', model: 'bk/gpt-4.1', attempts: 2 })
  })

  test('failures come back as the client saw them: unknown model, upstream error, a stream cut short', async () => {
    await using env = await startUsageEnv()
    const unknown = await runPlayground(env.context, input({ model: 'nope/nothing' }))
    expect(unknown.status).toBe(404)
    expect(unknown.error).toContain('nope/nothing')
    expect(unknown.row).toBeUndefined()

    env.upstreams.openai.reply({ status: 400, parts: ['{"error":{"message":"max_tokens is too large","type":"invalid_request_error"}}'] })
    const refused = await runPlayground(env.context, input({ format: 'gemini' }))
    expect(refused.status).toBe(400)
    expect(refused.error).toContain('max_tokens is too large')
    expect(refused.row).toMatchObject({ status: 400, inboundFormat: 'gemini' })

    const chunks = readChunks('openai-chat/openai-text.chunks.txt')
    env.upstreams.openai.reply({ headers: { 'content-type': 'text/event-stream' }, parts: chunks.slice(0, 6).map((line) => `data: ${line}\n\n`) })
    const cut = await runPlayground(env.context, input({ format: 'anthropic-messages', stream: true }))
    expect(cut.status).toBe(200)
    expect(cut.text.length).toBeGreaterThan(0)
    expect(cut.error).toContain('ended before the message finished')
  })

  test('the form is checked field by field and changes nothing when wrong', () => {
    expect(readPlaygroundForm({ model: ' ', prompt: '', maxTokens: '2.5', format: 'soap' })).toEqual({
      ok: false,
      errors: { model: 'required', prompt: 'required', maxTokens: 'a whole number from 1 to 64000', format: 'unknown client format' },
    })
    expect(readPlaygroundForm({ model: 'fast', prompt: 'hi', format: 'gemini', stream: 'on' })).toEqual({
      ok: true,
      value: { model: 'fast', format: 'gemini' as FormatId, stream: true, system: '', prompt: 'hi', maxTokens: 512, history: [] },
    })
  })

  test('the page: signed-in only, same-site writes only, and a plain form post gets the whole page with the answer, escaped', async () => {
    await using env = await startUsageEnv()
    env.upstreams.openai.reply({ parts: [JSON.stringify({ id: 'c1', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: '<script>alert(1)</script>' }, finish_reason: 'stop' }] })] })
    const url = env.modelmux.url
    const fields = { model: 'oa/gpt-4.1', prompt: 'hi', format: 'openai-chat' }
    const anonymous = await fetch(`${url}/dashboard/playground`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' })
    expect(anonymous.status).toBe(303)
    const cookie = await signIn(url)
    const crossSite = await fetch(`${url}/dashboard/playground`, { method: 'POST', headers: { cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, body: new URLSearchParams(fields) })
    expect(crossSite.status).toBe(403)
    expect(env.upstreams.openai.received).toHaveLength(0)

    const plain = await fetch(`${url}/dashboard/playground`, { method: 'POST', headers: { cookie, origin: url }, body: new URLSearchParams(fields) })
    const page = await plain.text()
    expect(page).toContain('<h1 class="page-title">Playground</h1>')
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(page).not.toContain('<script>alert(1)')
    expect(env.upstreams.openai.received).toHaveLength(1)

    const pages = client(url, cookie)
    const invalid = await pages.post('/dashboard/playground/live', { model: 'oa/gpt-4.1', prompt: ' ', maxTokens: '0' })
    const lines = (await invalid.text()).trim().split('\n').map((line) => JSON.parse(line))
    expect(lines).toHaveLength(1)
    expect(lines[0].form).toContain('a whole number from 1 to 64000')
    expect(lines[0].answer).toBeUndefined()
    expect(env.upstreams.openai.received).toHaveLength(1)
  })

  test('live: streamed text reaches the page while the model is still generating; leaving the page stops the upstream call', async () => {
    // Upstream timeouts far beyond the test's own: only the page going away can stop the held stream.
    await using env = await startUsageEnv({ timeouts: { connectMs: 60_000, firstByteMs: 60_000, idleMs: 60_000, totalMs: 60_000 } })
    const pages = client(env.modelmux.url, await signIn(env.modelmux.url))
    const chunks = readChunks('openai-chat/openai-text.chunks.txt').map((line) => `data: ${line}\n\n`)
    const hold = Promise.withResolvers<void>()
    env.upstreams.openai.reply({ headers: { 'content-type': 'text/event-stream' }, parts: [...chunks.slice(0, 4), { pause: hold.promise }, ...chunks.slice(4), 'data: [DONE]\n\n'] })
    const live = await pages.post('/dashboard/playground/live', { model: 'oa/gpt-4.1', prompt: 'hi', format: 'ollama', stream: 'on' })
    expect(live.headers.get('content-type')).toContain('application/x-ndjson')
    const reader = live.body!.getReader()
    const decoder = new TextDecoder()
    let seen = ''
    while (!seen.includes('"text"')) seen += decoder.decode((await reader.read()).value)
    // Output arrived while the upstream is held mid-stream; nothing final yet.
    expect(seen).not.toContain('"answer"')
    hold.resolve()
    for (;;) {
      const chunk = await reader.read()
      if (chunk.done) break
      seen += decoder.decode(chunk.value)
    }
    const lines = seen.trim().split('\n').map((line) => JSON.parse(line))
    expect(lines.filter((line) => line.text).map((line) => line.text).join('')).toBe(streamedText)
    expect(lines.at(-1).answer).toContain('answered by oa/gpt-4.1')
    expect(lines.at(-1).form).toContain('id="playground-form"')

    const never = Promise.withResolvers<void>()
    env.upstreams.openai.reply({ headers: { 'content-type': 'text/event-stream' }, parts: [...chunks.slice(0, 4), { pause: never.promise }] })
    const abandoned = await pages.post('/dashboard/playground/live', { model: 'oa/gpt-4.1', prompt: 'hi', stream: 'on' })
    const abandonedReader = abandoned.body!.getReader()
    await abandonedReader.read()
    await abandonedReader.cancel()
    await env.upstreams.openai.cancelled
    never.resolve()
  })

  test('a conversation: each answer joins the history the form carries, and the next message goes with it; a broken history is refused', async () => {
    await using env = await startUsageEnv()
    let turn = 0
    env.upstreams.anthropic.reply(() => ({ parts: [JSON.stringify({ id: 'm', type: 'message', role: 'assistant', model: 'c', content: [{ type: 'text', text: `answer ${++turn}` }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 2 } })] }))
    const url = env.modelmux.url
    const cookie = await signIn(url)
    const post = async (fields: Record<string, string>) => (await fetch(`${url}/dashboard/playground`, { method: 'POST', headers: { cookie, origin: url }, body: new URLSearchParams(fields) })).text()
    const hidden = (page: string) => JSON.parse((/name="history" value="([^"]*)"/.exec(page)?.[1] ?? '').replaceAll('&#34;', '"').replaceAll('&amp;', '&'))
    const first = await post({ model: 'an/claude', prompt: 'first <question>', format: 'anthropic-messages' })
    expect(hidden(first)).toEqual([{ role: 'user', text: 'first <question>' }, { role: 'assistant', text: 'answer 1' }])
    expect(first).toContain('Start a new conversation')
    const second = await post({ model: 'an/claude', prompt: 'second', format: 'anthropic-messages', history: JSON.stringify(hidden(first)) })
    expect(hidden(second)).toHaveLength(4)
    expect(JSON.parse(env.upstreams.anthropic.received.at(-1)!.body).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'first <question>' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'answer 1' }] },
      { role: 'user', content: [{ type: 'text', text: 'second' }] },
    ])
    const broken = await post({ model: 'an/claude', prompt: 'third', history: '[{"role":"wizard"}]' })
    expect(broken).toContain('the conversation could not be read; start a new one')
    expect(env.upstreams.anthropic.received).toHaveLength(2)
  })
})
