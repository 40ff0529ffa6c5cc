import { describe, expect, test } from 'bun:test'
import { accumulateEvents } from '../../../src/core/accumulate'
import { fixedClock, sequentialIds } from '../../../src/core/ids'
import type { ChatResponse, StreamEvent } from '../../../src/core/ir'
import { createSseEncoderStream, type SseEvent, toTransformStream } from '../../../src/core/sse'
import { decodeStream } from '../../../src/core/translate'
import { anthropicMessages } from '../../../src/formats/anthropic-messages'
import { geminiFormat } from '../../../src/formats/gemini'
import { openaiChat } from '../../../src/formats/openai-chat'
import type { WireFormat } from '../../../src/formats/types'
import { checkAnthropicStream } from '../../helpers/anthropic-invariants'
import {
  arrayStream, collect, listChunkFixtures, readJsonFixture, readText, seededRandom, splitAnthropicMessages, streamOf, summarize, toSseText,
} from '../../helpers/fixtures'

const encoder = new TextEncoder()
const context = () => ({ clock: fixedClock(1_700_000_000_000), ids: sequentialIds() })
const fixtures = listChunkFixtures(['gemini'])

async function decodeBytes(bytes: Uint8Array, sizes?: number[], format: WireFormat = geminiFormat): Promise<StreamEvent[]> {
  return collect(decodeStream(streamOf(bytes, sizes), format))
}

async function decodeData(payloads: unknown[]): Promise<StreamEvent[]> {
  const events = payloads.map((payload) => ({ data: typeof payload === 'string' ? payload : JSON.stringify(payload) }))
  return collect(arrayStream(events).pipeThrough(toTransformStream(geminiFormat.stream.decoder())))
}

async function encodeEvents(events: StreamEvent[], format: WireFormat = geminiFormat): Promise<SseEvent[]> {
  return (await collect(arrayStream(events).pipeThrough(toTransformStream(format.stream.encoder(context()))))) as SseEvent[]
}

async function toBytes(events: SseEvent[]): Promise<string> {
  return new TextDecoder().decode(Buffer.concat(await collect(arrayStream(events).pipeThrough(createSseEncoderStream()))))
}

/** An independent, naive reading of the raw chunks: what the decoder must agree with. */
function readChunksNaively(lines: string[]) {
  let text = ''
  let reasoning = ''
  let finish: string | undefined
  let usage: any
  const signatures: string[] = []
  const calls: Array<{ name: string; arguments: Record<string, unknown> }> = []
  for (const line of lines) {
    const chunk = JSON.parse(line)
    if (chunk.usageMetadata?.promptTokenCount !== undefined) usage = chunk.usageMetadata
    const candidate = chunk.candidates?.[0]
    for (const part of candidate?.content?.parts ?? []) {
      if (part.thought) reasoning += part.text
      else if (typeof part.text === 'string') text += part.text
      if (part.thoughtSignature) signatures.push(part.thoughtSignature)
      const call = part.functionCall
      if (call?.name) calls.push({ name: call.name, arguments: call.args ?? {} })
      for (const partial of call?.partialArgs ?? []) {
        const args = calls[calls.length - 1].arguments
        const key = partial.jsonPath.slice(2)
        args[key] = ((args[key] as string | undefined) ?? '') + partial.stringValue
      }
    }
    finish = candidate?.finishReason ?? finish
  }
  return { text, reasoning, finish, usage, signatures, calls }
}

/** Every opaque signature of a response, in order (reasoning parts and tool calls). */
function signaturesOf(response: ChatResponse): string[] {
  return response.content.flatMap((part) => (part.type === 'reasoning' || part.type === 'tool-call') && part.signature ? [part.signature] : [])
}

describe('gemini stream decoder: recorded fixtures', () => {
  test.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s', async (_, fixture) => {
    const events = await decodeBytes(encoder.encode(toSseText(fixture.lines)), [97])
    expect(events[0].type).toBe('message-start')
    expect(events.at(-1)).toEqual({ type: 'message-end' })
    expect(events.filter((event) => event.type === 'finish')).toHaveLength(1)
    const response = accumulateEvents(events)
    const naive = readChunksNaively(fixture.lines)
    const summary = summarize(response, ['inputTokens', 'outputTokens', 'cacheReadTokens', 'reasoningTokens'])
    expect(summary.text).toBe(naive.text)
    expect(summary.reasoning).toBe(naive.reasoning)
    expect(signaturesOf(response)).toEqual(naive.signatures)
    expect(summary.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args }))).toEqual(naive.calls)
    expect(response.rawFinishReason).toBe(naive.finish)
    expect(response.finishReason).toBe(naive.calls.length > 0 ? 'tool-calls' : 'stop')
    expect(summary.usage).toEqual({
      inputTokens: naive.usage.promptTokenCount,
      outputTokens: naive.usage.candidatesTokenCount + naive.usage.thoughtsTokenCount,
      cacheReadTokens: naive.usage.cachedContentTokenCount ?? 0,
      reasoningTokens: naive.usage.thoughtsTokenCount,
    })
    const first = JSON.parse(fixture.lines[0])
    expect(events[0]).toMatchObject({ type: 'message-start', id: first.responseId, model: first.modelVersion })
    // the recorded non-stream body of the same prompt decodes to the same kinds of content
    const body = readJsonFixture('gemini', fixture.name)
    if (body) {
      const other = geminiFormat.response.decode(body)
      expect(other.model).toBe(response.model)
      expect(other.finishReason).toBe(response.finishReason)
      expect(other.content.map((part) => part.type)).toEqual(response.content.map((part) => part.type))
      expect(other.content.filter((part) => part.type === 'tool-call').map((part) => [part.name, part.arguments]))
        .toEqual(response.content.filter((part) => part.type === 'tool-call').map((part) => [part.name, part.arguments]))
      expect(signaturesOf(other)).toHaveLength(signaturesOf(response).length)
      expect(Object.keys(other.usage ?? {}).sort()).toEqual(Object.keys(response.usage ?? {}).sort())
    }
  })

  test('text with a trailing signature chunk: text block, then a signature-only reasoning block', async () => {
    const [fixture] = fixtures.filter((item) => item.name === 'google-text')
    const events = await decodeBytes(encoder.encode(toSseText(fixture.lines)))
    const signature = JSON.parse(fixture.lines[2]).candidates[0].content.parts[0].thoughtSignature
    expect(events).toEqual([
      { type: 'message-start', id: 'bH6LaZW8Fp_3nsEPqtaSwQ4', model: 'gemini-3-pro-preview' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, text: 'There are **3**' },
      { type: 'text-delta', index: 0, text: ' "r"s in strawberry.\n\nst**r**awbe**rr**y' },
      { type: 'text-end', index: 0 },
      { type: 'reasoning-start', index: 1, origin: 'gemini' },
      { type: 'reasoning-signature', index: 1, signature },
      { type: 'reasoning-end', index: 1 },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 208, reasoningTokens: 185 } },
      { type: 'finish', finishReason: 'stop', rawReason: 'STOP' },
      { type: 'message-end' },
    ])
  })

  test('a whole function call: start with id and signature, arguments in one delta, end; STOP means tool-calls', async () => {
    const [fixture] = fixtures.filter((item) => item.name === 'google-tool-call')
    const events = await decodeBytes(encoder.encode(toSseText(fixture.lines)))
    const signature = JSON.parse(fixture.lines[0]).candidates[0].content.parts[0].thoughtSignature
    expect(events.slice(1, 4)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_b36LacjwM668nsEP2tbsgQQ_0', name: 'weather', signature },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location":"San Francisco"}' },
      { type: 'tool-call-end', index: 0 },
    ])
    expect(events.at(-2)).toEqual({ type: 'finish', finishReason: 'tool-calls', rawReason: 'STOP' })
  })

  test('streamed partialArgs are gathered into whole arguments; calls without args get {}', async () => {
    const [withArgs] = fixtures.filter((item) => item.name === 'google-stream-tool-call-arguments')
    const first = accumulateEvents(await decodeBytes(encoder.encode(toSseText(withArgs.lines))))
    expect(first.content.map((part) => part.type === 'tool-call' && [part.id, part.name, part.arguments])).toEqual([
      ['call_dqHOab6xGLzWodAPkPuViA4_0', 'getWeather', '{"location":"Boston"}'],
      ['call_dqHOab6xGLzWodAPkPuViA4_1', 'getWeather', '{"location":"San Francisco"}'],
    ])
    expect(first.usage).toEqual({ inputTokens: 26, outputTokens: 155, reasoningTokens: 132 })
    const [noArgs] = fixtures.filter((item) => item.name === 'google-stream-no-args-tool-call')
    const second = accumulateEvents(await decodeBytes(encoder.encode(toSseText(noArgs.lines))))
    expect(second.content.map((part) => part.type)).toEqual(['reasoning', 'tool-call', 'tool-call', 'tool-call', 'tool-call'])
    expect(second.content.map((part) => part.type === 'tool-call' && [part.name, part.arguments])).toEqual([
      false, ['read_theme', '{}'], ['read_screen', '{"id":"A"}'], ['read_screen', '{"id":"B"}'], ['read_screen', '{"id":"C"}'],
    ])
    expect(second.content[0]).toMatchObject({ type: 'reasoning', origin: 'gemini', text: expect.stringMatching(/^\*\*Processing User Requests\*\*/) })
    expect(second.created).toBe(Math.floor(Date.parse('2026-05-04T20:01:02.264968Z') / 1000))
  })

  test('partialArgs of every value kind, nested paths and a continued string', async () => {
    const chunk = (functionCall: unknown, extra: object = {}) => ({ candidates: [{ content: { role: 'model', parts: [{ functionCall }] }, ...extra }], responseId: 'r' })
    const events = await decodeData([
      chunk({ name: 'plan', willContinue: true }),
      chunk({ partialArgs: [{ jsonPath: '$.steps[0].title', stringValue: 'Wri', willContinue: true }], willContinue: true }),
      chunk({ partialArgs: [{ jsonPath: '$.steps[0].title', stringValue: 'te' }], willContinue: true }),
      chunk({ partialArgs: [{ jsonPath: '$.count', numberValue: 2 }, { jsonPath: '$.dry', boolValue: false }, { jsonPath: "$['odd key']", nullValue: null }], willContinue: true }),
      chunk({}, { finishReason: 'STOP' }),
    ])
    const response = accumulateEvents(events)
    expect(JSON.parse((response.content[0] as { arguments: string }).arguments)).toEqual({ steps: [{ title: 'Write' }], count: 2, dry: false, 'odd key': null })
    expect(response.finishReason).toBe('tool-calls')
  })

  test('thought parts stream as reasoning; a thought signature ends its block', async () => {
    const chunk = (parts: unknown[], extra: object = {}) => ({ candidates: [{ content: { role: 'model', parts }, ...extra }], modelVersion: 'gemini-2.5-pro', responseId: 'r1' })
    const events = await decodeData([
      chunk([{ text: 'Let me ', thought: true }]),
      chunk([{ text: 'think.', thought: true, thoughtSignature: 'sig-1' }]),
      chunk([{ text: 'Answer' }, { text: '!' }]),
      chunk([], { finishReason: 'MAX_TOKENS' }),
    ])
    expect(events.slice(1, -1)).toEqual([
      { type: 'reasoning-start', index: 0, origin: 'gemini' },
      { type: 'reasoning-delta', index: 0, text: 'Let me ' },
      { type: 'reasoning-delta', index: 0, text: 'think.' },
      { type: 'reasoning-signature', index: 0, signature: 'sig-1' },
      { type: 'reasoning-end', index: 0 },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, text: 'Answer' },
      { type: 'text-delta', index: 1, text: '!' },
      { type: 'text-end', index: 1 },
      { type: 'finish', finishReason: 'length', rawReason: 'MAX_TOKENS' },
    ])
  })

  test('parts only Gemini understands pass as raw blocks; usage after finish is still reported', async () => {
    const image = { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }
    const events = await decodeData([
      { candidates: [{ content: { role: 'model', parts: [{ text: 'Here:' }, image] }, finishReason: 'STOP' }], responseId: 'r' },
      { usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, cachedContentTokenCount: 2 }, responseId: 'r' },
    ])
    expect(events.slice(1)).toEqual([
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, text: 'Here:' },
      { type: 'text-end', index: 0 },
      { type: 'raw', index: 1, format: 'gemini', value: image },
      { type: 'finish', finishReason: 'stop', rawReason: 'STOP' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 3, cacheReadTokens: 2 } },
      { type: 'message-end' },
    ])
  })

  test('in-band error: pending usage, then one terminal error (RESOURCE_EXHAUSTED is a rate limit)', async () => {
    const events = await decodeData([
      { candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }] } }], usageMetadata: { promptTokenCount: 4 }, responseId: 'r' },
      { error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } },
      { candidates: [{ content: { role: 'model', parts: [{ text: 'ignored' }] }, finishReason: 'STOP' }] },
    ])
    expect(events.slice(-2)).toEqual([
      { type: 'usage', usage: { inputTokens: 4 } },
      { type: 'error', error: { status: 429, kind: 'rate_limit', message: 'Resource has been exhausted', code: 'RESOURCE_EXHAUSTED' } },
    ])
    expect(() => accumulateEvents(events)).toThrow('Resource has been exhausted')
  })

  test('empty, truncated and invalid streams are errors, never a silent success', async () => {
    expect((await decodeData([])).map((event) => event.type)).toEqual(['error'])
    const truncated = await decodeData([{ candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }] } }] }])
    expect(truncated.at(-1)).toMatchObject({ type: 'error', error: { status: 502, message: expect.stringContaining('ended before') } })
    expect((await decodeData(['{not json'])).at(-1)).toMatchObject({ type: 'error', error: { kind: 'upstream' } })
  })

  test('a blocked prompt (promptFeedback, no candidates) finishes as content-filter', async () => {
    const events = await decodeData([{ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 }, responseId: 'b' }])
    expect(events).toEqual([
      { type: 'message-start', id: 'b', model: '' },
      { type: 'usage', usage: { inputTokens: 7 } },
      { type: 'finish', finishReason: 'content-filter', rawReason: 'PROHIBITED_CONTENT' },
      { type: 'message-end' },
    ])
  })

  test('a JSON-array chunk (non-SSE streaming body) and a stray [DONE] are read too', async () => {
    const [fixture] = fixtures.filter((item) => item.name === 'google-text')
    const expected = await decodeData(fixture.lines)
    expect(await decodeData([`[${fixture.lines.join(',')}]`, '[DONE]'])).toEqual(expected)
  })
})

describe('gemini stream decoder: chunk boundaries', () => {
  test.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s split at every byte offset and at seeded random sizes', async (_, fixture) => {
    const bytes = encoder.encode(toSseText(fixture.lines))
    const expected = await decodeBytes(bytes)
    for (let offset = 1; offset < bytes.length; offset++) {
      const events = await decodeBytes(bytes, [offset, bytes.length])
      if (!Bun.deepEquals(events, expected)) expect({ offset, events }).toEqual({ offset, events: expected })
    }
    const random = seededRandom(fixture.name.length * 7919)
    for (let round = 0; round < 25; round++) {
      const sizes = Array.from({ length: 400 }, () => 1 + Math.floor(random() * 64))
      expect(await decodeBytes(bytes, sizes)).toEqual(expected)
    }
  })

  test('CRLF line endings, split between CR and LF, decode the same', async () => {
    const [fixture] = fixtures.filter((item) => item.name === 'google-tool-call')
    const expected = await decodeBytes(encoder.encode(toSseText(fixture.lines)))
    const bytes = encoder.encode(toSseText(fixture.lines).replace(/\n/g, '\r\n'))
    for (let offset = 1; offset < bytes.length; offset++) {
      const events = await decodeBytes(bytes, [offset, bytes.length])
      if (!Bun.deepEquals(events, expected)) expect({ offset, events }).toEqual({ offset, events: expected })
    }
  })
})

describe('gemini stream encoder', () => {
  test('one data line of a whole response per part, function call whole at its end, finish and usage last', async () => {
    const output = await encodeEvents([
      { type: 'message-start', id: 'msg_1', model: 'claude-x', usage: { inputTokens: 10 } },
      { type: 'reasoning-start', index: 0, origin: 'anthropic-messages' },
      { type: 'reasoning-delta', index: 0, text: 'hmm' },
      { type: 'reasoning-signature', index: 0, signature: 'anthropic-only' },
      { type: 'reasoning-end', index: 0 },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, text: 'Hi "there"' },
      { type: 'text-end', index: 1 },
      { type: 'tool-call-start', index: 5, id: 'toolu_1', name: 'read' },
      { type: 'tool-call-delta', index: 5, argumentsDelta: '{"path":' },
      { type: 'tool-call-delta', index: 5, argumentsDelta: '"a.txt"}' },
      { type: 'tool-call-end', index: 5 },
      { type: 'tool-call-start', index: 6, id: 'toolu_2', name: 'list' },
      { type: 'tool-call-end', index: 6 },
      { type: 'finish', finishReason: 'tool-calls', rawReason: 'tool_use' },
      { type: 'usage', usage: { outputTokens: 7, cacheReadTokens: 3, reasoningTokens: 2 } },
      { type: 'message-end' },
    ])
    expect(output.every((event) => event.event === undefined && !event.data.includes('\n') && event.data !== '[DONE]')).toBe(true)
    const tail = { modelVersion: 'claude-x', responseId: 'msg_1' }
    const chunk = (parts: unknown[]) => ({ candidates: [{ content: { parts, role: 'model' }, index: 0 }], ...tail })
    expect(output.map((event) => JSON.parse(event.data))).toEqual([
      chunk([{ text: 'hmm', thought: true }]),
      chunk([{ text: 'Hi "there"' }]),
      chunk([{ functionCall: { id: 'toolu_1', name: 'read', args: { path: 'a.txt' } } }]),
      chunk([{ functionCall: { id: 'toolu_2', name: 'list', args: {} } }]),
      {
        candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 2, cachedContentTokenCount: 3, totalTokenCount: 17 },
        ...tail,
      },
    ])
  })

  test('Gemini signatures are sent on when their block ends; a missing id and model come from the context', async () => {
    const output = await collect(arrayStream<StreamEvent>([
      { type: 'message-start', id: '', model: 'gemini-3-pro-preview' },
      { type: 'reasoning-start', index: 0, origin: 'gemini' },
      { type: 'reasoning-delta', index: 0, text: 'plan' },
      { type: 'reasoning-signature', index: 0, signature: 'c2ln' },
      { type: 'reasoning-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'c1', name: 'f', signature: 'Zm4=' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'tool-call-end', index: 1 },
      { type: 'finish', finishReason: 'length', rawReason: 'MAX_TOKENS' },
      { type: 'message-end' },
    ]).pipeThrough(toTransformStream(geminiFormat.stream.encoder({ ...context(), model: 'gc/gemini-3-pro' }))))
    const chunks = output.map((event) => JSON.parse(event.data))
    expect(chunks.map((chunk) => chunk.candidates[0].content.parts[0])).toEqual([
      { text: 'plan', thought: true },
      { text: '', thought: true, thoughtSignature: 'c2ln' },
      { functionCall: { id: 'c1', name: 'f', args: {} }, thoughtSignature: 'Zm4=' },
      { text: '' },
    ])
    expect(chunks.at(-1)).toEqual({
      candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'MAX_TOKENS', index: 0 }],
      modelVersion: 'gc/gemini-3-pro',
      responseId: 'resp_1',
    })
  })

  test('an error event becomes the in-band Google error with a 400–599 code; nothing follows', async () => {
    const output = await encodeEvents([
      { type: 'message-start', id: 'x', model: 'm' },
      { type: 'text-delta', index: 0, text: 'partial' },
      { type: 'error', error: { status: 529, kind: 'overloaded', message: 'Overloaded' } },
      { type: 'message-end' },
    ])
    expect(output.slice(1)).toEqual([{ data: JSON.stringify({ error: { code: 529, message: 'Overloaded', status: 'UNAVAILABLE' } }) }])
    const odd = await encodeEvents([{ type: 'error', error: { status: 200, kind: 'upstream', message: 'odd' } }])
    expect(JSON.parse(odd[0].data).error.code).toBe(500)
  })

  test('a stream that stops without message-end gets an in-band error', async () => {
    const output = await encodeEvents([{ type: 'message-start', id: 'x', model: 'm' }, { type: 'text-start', index: 0 }])
    expect(JSON.parse(output.at(-1)!.data).error).toMatchObject({ code: 502, status: 'INTERNAL', message: expect.stringContaining('ended before') })
  })

  test.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s → IR → Gemini SSE → IR keeps everything', async (_, fixture) => {
    const events = await decodeBytes(encoder.encode(toSseText(fixture.lines)))
    const original = accumulateEvents(events)
    const again = accumulateEvents(await decodeBytes(encoder.encode(await toBytes(await encodeEvents(events)))))
    expect(again.content).toEqual(original.content)
    expect({ id: again.id, model: again.model, finish: again.finishReason, raw: again.rawFinishReason, usage: again.usage })
      .toEqual({ id: original.id, model: original.model, finish: original.finishReason, raw: original.rawFinishReason, usage: original.usage })
  })
})

describe('gemini streams across formats', () => {
  test.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s → Anthropic client: Claude Code contract holds', async (_, fixture) => {
    const events = await decodeBytes(encoder.encode(toSseText(fixture.lines)))
    const output = await encodeEvents(events, anthropicMessages)
    expect(checkAnthropicStream(output)).toEqual([])
    const original = accumulateEvents(events)
    const again = accumulateEvents(await decodeBytes(encoder.encode(await toBytes(output)), undefined, anthropicMessages))
    expect(summarize(again)).toEqual({ ...summarize(original), finishReason: original.finishReason })
  })

  test.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s → OpenAI chat client re-decodes to the same text, calls and usage', async (_, fixture) => {
    const events = await decodeBytes(encoder.encode(toSseText(fixture.lines)))
    const output = await encodeEvents(events, openaiChat)
    expect(output.at(-1)).toEqual({ data: '[DONE]' })
    const fields = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'reasoningTokens'] as const
    const again = accumulateEvents(await decodeBytes(encoder.encode(await toBytes(output)), undefined, openaiChat))
    expect(summarize(again, [...fields])).toEqual(summarize(accumulateEvents(events), [...fields]))
  })

  const others = [
    ...splitAnthropicMessages(listChunkFixtures(['anthropic'])).map((fixture) => ({ name: `anthropic/${fixture.name}`, format: anthropicMessages, text: toSseText(fixture.lines, { named: true }) })),
    ...listChunkFixtures(['openai-chat', 'openai-compatible', 'deepseek', 'groq', 'alibaba'])
      .map((fixture) => ({ name: `${fixture.folder}/${fixture.name}`, format: openaiChat, text: toSseText(fixture.lines, { done: true }) })),
    { name: 'openai-compatible/anthropic-fallback-tool-call.sse', format: openaiChat, text: readText('openai-compatible', 'anthropic-fallback-tool-call.sse') },
  ]
  test.each(others.map((item) => [item.name, item] as const))('%s → Gemini client → IR keeps text, reasoning, calls, finish, usage', async (_, item) => {
    const events = await decodeBytes(encoder.encode(item.text), [211], item.format)
    const original = accumulateEvents(events)
    const output = await encodeEvents(events)
    const again = accumulateEvents(await decodeBytes(encoder.encode(await toBytes(output))))
    // Gemini has no cache-write count (those tokens stay inside the prompt count); reasoning is
    // compared only when the upstream kept it inside output (xAI does not, see the usage test)
    const consistent = (original.usage?.reasoningTokens ?? 0) <= (original.usage?.outputTokens ?? 0)
    const fields = consistent ? ['inputTokens', 'outputTokens', 'cacheReadTokens', 'reasoningTokens'] as const : ['inputTokens', 'outputTokens', 'cacheReadTokens'] as const
    const want = summarize(original, [...fields])
    if (original.finishReason === 'other' || original.finishReason === 'error') want.finishReason = want.toolCalls.length > 0 ? 'tool-calls' : 'stop'
    expect(summarize(again, [...fields])).toEqual(want)
    // and as a non-stream body
    const body = JSON.parse(JSON.stringify(geminiFormat.response.encode(original, context())))
    expect(summarize(geminiFormat.response.decode(body), [...fields])).toEqual(want)
  })
})

describe('gemini stream performance', () => {
  test('decoding and encoding stay well under 5 µs per chunk', async () => {
    const [fixture] = fixtures.filter((item) => item.name === 'google-text')
    const count = 20_000
    const events = [fixture.lines[0], ...Array.from({ length: count }, () => fixture.lines[1]), fixture.lines[2]].map((data) => ({ data }))
    const measure = async (run: () => Promise<unknown>) => {
      let best = Infinity
      for (let round = 0; round < 3; round++) {
        const started = performance.now()
        await run()
        best = Math.min(best, ((performance.now() - started) * 1000) / count)
      }
      return best
    }
    const decodePerChunk = await measure(() => collect(arrayStream(events).pipeThrough(toTransformStream(geminiFormat.stream.decoder()))))
    const deltas: StreamEvent[] = [{ type: 'message-start', id: 'r', model: 'm' }, { type: 'text-start', index: 0 }]
    for (let position = 0; position < count; position++) deltas.push({ type: 'text-delta', index: 0, text: ' "r"s in strawberry.' })
    deltas.push({ type: 'text-end', index: 0 }, { type: 'finish', finishReason: 'stop' }, { type: 'message-end' })
    const encodePerChunk = await measure(() => collect(arrayStream(deltas).pipeThrough(toTransformStream(geminiFormat.stream.encoder(context())))))
    expect(decodePerChunk).toBeLessThan(5)
    expect(encodePerChunk).toBeLessThan(5)
  })
})
