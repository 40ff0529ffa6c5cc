import { describe, expect, test } from 'bun:test'
import type { StreamEvent } from '../../../src/core/ir'
import { openaiResponsesFormat } from '../../../src/formats/openai-responses'
import { readJsonFixture, seededRandom, toSseText } from '../../helpers/fixtures'
import { accumulate, decodeEvents, decodeText, project, responsesFixtures } from './helpers'

const format = openaiResponsesFormat

/**
 * OpenAI re-encrypts opaque fields (`encrypted_content`, `fingerprint`) every time it serializes
 * an item, so `output_item.done` and `response.completed` carry different tokens for the same
 * item; both are valid. Comparisons replace them with a marker.
 */
function withoutTokens<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_, field) => (typeof field === 'string' && field.startsWith('gAAAAA') ? '<fernet>' : field)))
}

/** An independent, naive reading of the message texts: deltas, or the done text when it extends them. */
function readTextsNaively(lines: string[]): string[] {
  const texts = new Map<string, string>()
  for (const line of lines) {
    const event = JSON.parse(line)
    const key = `${event.output_index}:${event.content_index}`
    if (event.type === 'response.output_text.delta') texts.set(key, (texts.get(key) ?? '') + event.delta)
    if (event.type === 'response.output_text.done' && event.text.startsWith(texts.get(key) ?? '')) texts.set(key, event.text)
  }
  return [...texts.values()]
}

/** The `response` object of the fixture's terminal event: the body a non-stream call would return. */
function terminalResponse(lines: string[]): Record<string, any> {
  return JSON.parse(lines[lines.length - 1]).response
}

describe('openai-responses stream decoder: recorded fixtures', () => {
  const successes = responsesFixtures.filter((fixture) => !fixture.name.startsWith('openai-error'))

  test.each(successes.map((fixture) => [fixture.name, fixture] as const))('%s decodes to its completed response', async (_, fixture) => {
    const events = await decodeText(toSseText(fixture.lines, { named: true }))
    expect(events[0].type).toBe('message-start')
    expect(events.at(-1)).toEqual({ type: 'message-end' })
    const streamed = accumulate(events)
    const body = terminalResponse(fixture.lines)
    const whole = format.response.decode(body)
    const texts = readTextsNaively(fixture.lines)
    expect(streamed.content.filter((part) => part.type === 'text').map((part) => part.text)).toEqual(texts)
    // openai-shell-container.1 was edited by hand: its deltas say less than its done events
    if (fixture.name === 'openai-shell-container.1') {
      for (const part of whole.content) if (part.type === 'text') part.text = texts[0]
    }
    expect(withoutTokens(project(streamed))).toEqual(withoutTokens(project(whole)))
    expect(streamed.id).toBe(body.id)
    expect(streamed.model).toBe(body.model)
    expect(streamed.rawFinishReason).toBe(whole.rawFinishReason)
    // the recorded non-stream body, where it is the same response, decodes to the same IR
    const json = readJsonFixture(fixture.folder, fixture.name) as Record<string, any> | undefined
    if (json?.id === body.id) expect(withoutTokens(project(format.response.decode(json)))).toEqual(withoutTokens(project(format.response.decode(body))))
    // otherwise it is a separate recording of the same scenario (the first response of a
    // multi-response stream): same finish, same kinds of items, same function names
    else if (json && !fixture.name.includes('#2')) {
      const other = format.response.decode(json)
      const kinds = (parts: typeof other.content) => [...new Set(parts.map((part) => (part.type === 'raw' ? String(part.value.type) : part.type)))].sort()
      const names = (parts: typeof other.content) => parts.flatMap((part) => (part.type === 'tool-call' ? [part.name] : []))
      expect(other.finishReason).toBe(streamed.finishReason)
      expect(kinds(other.content)).toEqual(kinds(streamed.content))
      expect(names(other.content)).toEqual(names(streamed.content))
    }
  })

  test('function call, arguments and usage (client-tool-search.2)', async () => {
    const fixture = responsesFixtures.find((item) => item.name === 'openai-client-tool-search.2')!
    const response = accumulate(await decodeText(toSseText(fixture.lines, { named: true })))
    const calls = response.content.filter((part) => part.type === 'tool-call')
    expect(calls).toHaveLength(1)
    expect(JSON.parse(calls[0].arguments)).toBeObject()
    expect(response.finishReason).toBe('tool-calls')
    expect(response.usage?.inputTokens).toBeGreaterThan(0)
  })

  test('encrypted reasoning arrives on reasoning-end (programmatic-tool-calling.1)', async () => {
    const fixture = responsesFixtures.find((item) => item.name === 'programmatic-tool-calling.1')!
    const events = await decodeText(toSseText(fixture.lines, { named: true }))
    const done = JSON.parse(fixture.lines.find((line) => line.includes('"response.output_item.done"') && line.includes('"type":"reasoning"'))!)
    const end = events.find((event) => event.type === 'reasoning-end') as Extract<StreamEvent, { type: 'reasoning-end' }>
    expect(end.encrypted).toBe(done.item.encrypted_content)
    expect(events.find((event) => event.type === 'reasoning-start')).toEqual({ type: 'reasoning-start', index: 0, id: done.item.id, origin: 'openai-responses' })
    const response = accumulate(events)
    expect(response.content.map((part) => part.type)).toEqual(['reasoning', 'raw', 'tool-call'])
  })

  test('hosted tool items ride as raw parts; annotations events are ignored (web-search)', async () => {
    const fixture = responsesFixtures.find((item) => item.name === 'openai-web-search-tool.1')!
    const response = accumulate(await decodeText(toSseText(fixture.lines, { named: true })))
    expect(response.content.filter((part) => part.type === 'raw').map((part) => (part.type === 'raw' ? part.value.type : ''))).toContain('web_search_call')
    expect(response.finishReason).toBe('stop')
  })

  test('text missing from the deltas is recovered from output_text.done (openai-phase)', async () => {
    const fixture = responsesFixtures.find((item) => item.name === 'openai-phase.1')!
    const response = accumulate(await decodeText(toSseText(fixture.lines, { named: true })))
    const texts = terminalResponse(fixture.lines).output.map((item: any) => item.content[0].text)
    expect(response.content.map((part) => (part.type === 'text' ? part.text : ''))).toEqual(texts)
  })

  test('error event, then response.failed: one terminal error', async () => {
    const fixture = responsesFixtures.find((item) => item.name === 'openai-error.1')!
    const events = await decodeText(toSseText(fixture.lines, { named: true }))
    expect(events.map((event) => event.type)).toEqual(['message-start', 'error'])
    expect(events[1]).toEqual({
      type: 'error',
      error: { status: 429, kind: 'rate_limit', code: 'insufficient_quota', message: expect.stringContaining('You exceeded your current quota') },
    })
    expect(() => accumulate(events)).toThrow('exceeded your current quota')
  })
})

describe('openai-responses stream decoder: chunk boundaries', () => {
  const encoder = new TextEncoder()
  const small = responsesFixtures.filter((fixture) => toSseText(fixture.lines, { named: true }).length < 4000)

  test.each(small.map((fixture) => [fixture.name, fixture] as const))('%s split at every byte offset', async (_, fixture) => {
    const text = toSseText(fixture.lines, { named: true })
    const whole = await decodeText(text, [text.length])
    const bytes = encoder.encode(text).length
    for (let offset = 1; offset < bytes; offset++) expect(await decodeText(text, [offset, bytes])).toEqual(whole)
  })

  test.each(responsesFixtures.map((fixture) => [fixture.name, fixture] as const))('%s in seeded random chunk sizes, LF and CRLF', async (_, fixture) => {
    const text = toSseText(fixture.lines, { named: true })
    const whole = await decodeText(text, [text.length])
    const random = seededRandom(fixture.lines.length)
    for (let round = 0; round < 4; round++) {
      const sizes = Array.from({ length: 64 }, () => 1 + Math.floor(random() * 300))
      expect(await decodeText(text, sizes)).toEqual(whole)
      expect(await decodeText(text.replaceAll('\n', '\r\n'), sizes)).toEqual(whole)
    }
  })
})

describe('openai-responses stream decoder: shapes no fixture has', () => {
  const created = { type: 'response.created', response: { id: 'resp_1', object: 'response', created_at: 5, status: 'in_progress', model: 'gpt-5', output: [], usage: null } }
  const completed = (output: unknown[], extra: Record<string, unknown> = {}) => ({
    type: 'response.completed',
    response: {
      id: 'resp_1', object: 'response', created_at: 5, status: 'completed', model: 'gpt-5', output,
      usage: { input_tokens: 30, input_tokens_details: { cached_tokens: 10 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 40 }, total_tokens: 80 },
      ...extra,
    },
  })
  const reasoningItem = {
    id: 'rs_1', type: 'reasoning', encrypted_content: 'gAAAA-secret',
    summary: [{ type: 'summary_text', text: '**Plan**\n\nLook.' }, { type: 'summary_text', text: '**Check**' }],
  }

  test('reasoning summary parts join with a blank line; encrypted content on reasoning-end', async () => {
    const at = { item_id: 'rs_1', output_index: 0 }
    const events = await decodeEvents([
      created,
      { type: 'response.in_progress', response: created.response },
      { type: 'response.output_item.added', output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } },
      { type: 'response.reasoning_summary_part.added', ...at, summary_index: 0, part: { type: 'summary_text', text: '' } },
      { type: 'response.reasoning_summary_text.delta', ...at, summary_index: 0, delta: '**Plan**\n\n' },
      { type: 'response.reasoning_summary_text.delta', ...at, summary_index: 0, delta: 'Look.' },
      { type: 'response.reasoning_summary_text.done', ...at, summary_index: 0, text: '**Plan**\n\nLook.' },
      { type: 'response.reasoning_summary_part.done', ...at, summary_index: 0, part: { type: 'summary_text', text: '**Plan**\n\nLook.' } },
      { type: 'response.reasoning_summary_part.added', ...at, summary_index: 1, part: { type: 'summary_text', text: '' } },
      { type: 'response.reasoning_summary_text.delta', ...at, summary_index: 1, delta: '**Check**' },
      { type: 'response.reasoning_summary_text.done', ...at, summary_index: 1, text: '**Check**' },
      { type: 'response.reasoning_summary_part.done', ...at, summary_index: 1, part: { type: 'summary_text', text: '**Check**' } },
      { type: 'response.output_item.done', output_index: 0, item: reasoningItem },
      { type: 'response.output_item.added', output_index: 1, item: { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] } },
      { type: 'response.content_part.added', item_id: 'msg_1', output_index: 1, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } },
      { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 1, content_index: 0, delta: 'Done.' },
      { type: 'response.some_future_event', output_index: 1, whatever: true },
      { type: 'response.output_text.done', item_id: 'msg_1', output_index: 1, content_index: 0, text: 'Done.' },
      { type: 'response.content_part.done', item_id: 'msg_1', output_index: 1, content_index: 0, part: { type: 'output_text', text: 'Done.', annotations: [] } },
      { type: 'response.output_item.done', output_index: 1, item: { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Done.', annotations: [] }] } },
      completed([reasoningItem]),
      '[DONE]',
    ])
    expect(events).toEqual([
      { type: 'message-start', id: 'resp_1', model: 'gpt-5', created: 5 },
      { type: 'reasoning-start', index: 0, id: 'rs_1', origin: 'openai-responses' },
      { type: 'reasoning-delta', index: 0, text: '**Plan**\n\n' },
      { type: 'reasoning-delta', index: 0, text: 'Look.' },
      { type: 'reasoning-delta', index: 0, text: '\n\n' },
      { type: 'reasoning-delta', index: 0, text: '**Check**' },
      { type: 'reasoning-end', index: 0, encrypted: 'gAAAA-secret' },
      // The message item's id rides along (an encoder of this format reuses it for a rebuilt stream).
      { type: 'text-start', index: 1, id: 'msg_1' },
      { type: 'text-delta', index: 1, text: 'Done.' },
      { type: 'text-end', index: 1 },
      { type: 'usage', usage: { inputTokens: 30, outputTokens: 50, cacheReadTokens: 10, reasoningTokens: 40 } },
      { type: 'finish', finishReason: 'stop', rawReason: 'completed' },
      { type: 'message-end' },
    ])
    // the non-stream reading of the same reasoning item agrees
    expect(format.response.decode(completed([reasoningItem]).response).content).toEqual([
      { type: 'reasoning', text: '**Plan**\n\nLook.\n\n**Check**', id: 'rs_1', encrypted: 'gAAAA-secret', origin: 'openai-responses' },
    ])
  })

  test('items sent only as output_item.done (no deltas) still decode', async () => {
    const message = { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] }
    const call = { id: 'fc_1', type: 'function_call', call_id: 'call_9', name: 'read', arguments: '{"a":1}' }
    const events = await decodeEvents([
      created,
      { type: 'response.output_item.done', output_index: 0, item: message },
      { type: 'response.output_item.done', output_index: 1, item: call },
      completed([message, call]),
    ])
    expect(accumulate(events).content).toEqual([
      { type: 'text', text: 'Hi' },
      { type: 'tool-call', id: 'call_9', name: 'read', arguments: '{"a":1}' },
    ])
    expect(accumulate(events).finishReason).toBe('tool-calls')
  })

  test('incomplete response: length, with the raw reason', async () => {
    const events = await decodeEvents([
      created,
      { type: 'response.incomplete', response: { ...completed([]).response, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } },
    ])
    expect(events.slice(-2)).toEqual([{ type: 'finish', finishReason: 'length', rawReason: 'max_output_tokens' }, { type: 'message-end' }])
  })

  test('response.failed without an error event is still an error', async () => {
    const events = await decodeEvents([
      created,
      { type: 'response.failed', response: { ...created.response, status: 'failed', error: { code: 'server_error', message: 'boom' } } },
    ])
    expect(events.at(-1)).toEqual({ type: 'error', error: { status: 502, kind: 'upstream', code: 'server_error', message: 'boom' } })
  })

  test('empty, truncated and out-of-order streams are errors, never a silent success', async () => {
    expect((await decodeEvents([])).map((event) => event.type)).toEqual(['error'])
    const truncated = await decodeEvents([created, { type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'm', content: [] } }])
    expect(truncated.at(-1)).toEqual({ type: 'error', error: { status: 502, kind: 'upstream', message: 'upstream stream ended before response.completed' } })
    const early = await decodeEvents([{ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'x' }])
    expect(early.map((event) => event.type)).toEqual(['error'])
  })
})
