import { describe, expect, test } from 'bun:test'
import { sequentialIds } from '../../src/core/ids'
import type { ChatRequest, StreamEvent } from '../../src/core/ir'
import { crc32, createEventStreamDecoder, decodeEventStreamMessage, EventStreamError, type EventStreamMessage } from '../../src/formats/envelopes/aws-event-stream'
import { createCodeAssistUnwrapStream, unwrapCodeAssistResponse, wrapCodeAssistRequest } from '../../src/formats/envelopes/code-assist'
import { applyCodexBodyRules, splitEffortSuffix } from '../../src/formats/envelopes/codex'
import { createKiroEventDecoder, createKiroToOpenAIChatStream, encodeKiroRequest } from '../../src/formats/envelopes/kiro'
import { collect, concatBytes, encodeEventStreamFrame, kiroEvent, streamOf } from './helpers/event-stream'

describe('Codex body rules', () => {
  test.each([
    ['gpt-5.3-codex-high', { model: 'gpt-5.3-codex', effort: 'high' }],
    ['gpt-5.3-codex-xhigh', { model: 'gpt-5.3-codex', effort: 'xhigh' }],
    ['gpt-5.2-low', { model: 'gpt-5.2', effort: 'low' }],
    ['gpt-5.2-medium', { model: 'gpt-5.2', effort: 'medium' }],
    ['gpt-5.1-codex-max', { model: 'gpt-5.1-codex-max' }],
    ['gpt-5.1-codex-mini', { model: 'gpt-5.1-codex-mini' }],
  ])('%s', (model, expected) => {
    expect(splitEffortSuffix(model)).toEqual(expected as never)
  })

  test('always streams, stores nothing, drops refused parameters, effort from the suffix', () => {
    const body = applyCodexBodyRules(
      { model: 'gpt-5.3-codex-high', input: 'hi', temperature: 0.2, top_p: 1, max_output_tokens: 100, metadata: { a: 'b' }, stream: false, instructions: 'be brief', tools: [] },
      'gpt-5.3-codex-high',
    )
    expect(body).toEqual({
      model: 'gpt-5.3-codex',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
      stream: true,
      store: false,
      instructions: 'be brief',
      tools: [],
      reasoning: { effort: 'high', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    })
  })

  test('an explicit effort beats the suffix; none sends no encrypted reasoning', () => {
    expect(applyCodexBodyRules({ reasoning: { effort: 'low' }, input: [] }, 'gpt-5.2-high').reasoning).toEqual({ effort: 'low', summary: 'auto' })
    expect(applyCodexBodyRules({ reasoning_effort: 'medium', input: [] }, 'gpt-5.2-high').reasoning).toEqual({ effort: 'medium', summary: 'auto' })
    const none = applyCodexBodyRules({ input: [] }, 'gpt-5.2-none')
    expect(none.reasoning).toEqual({ effort: 'none' })
    expect(none.include).toBeUndefined()
    const plain = applyCodexBodyRules({ input: [], include: ['x'] }, 'gpt-5.2')
    expect(plain.reasoning).toBeUndefined()
    expect(plain.include).toEqual(['x', 'reasoning.encrypted_content'])
    expect(plain.instructions).toBe('')
  })
})

describe('Code Assist envelope', () => {
  test('wraps a generateContent body; model moves to the envelope', () => {
    const body = { model: 'x', contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { temperature: 0 } }
    expect(wrapCodeAssistRequest(body, { model: 'gemini-2.5-pro', project: 'proj-1', userPromptId: 'p-1' })).toEqual({
      model: 'gemini-2.5-pro',
      project: 'proj-1',
      user_prompt_id: 'p-1',
      request: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { temperature: 0 } },
    })
  })
  test('unwraps answers, arrays of answers, and leaves other shapes alone', () => {
    expect(unwrapCodeAssistResponse({ response: { candidates: [] }, traceId: 't' })).toEqual({ candidates: [] })
    expect(unwrapCodeAssistResponse([{ response: { a: 1 } }, { response: { a: 2 } }])).toEqual([{ a: 1 }, { a: 2 }])
    expect(unwrapCodeAssistResponse({ error: { code: 429 } })).toEqual({ error: { code: 429 } })
  })
  test('unwraps every SSE event, across chunk boundaries', async () => {
    const text = 'data: {"response":{"candidates":[{"content":{"parts":[{"text":"He"}]}}]}}\r\n\r\ndata: {"response":{"candidates":[{"content":{"parts":[{"text":"llo"}]}}],"usageMetadata":{"promptTokenCount":3}}}\n\n'
    const bytes = new TextEncoder().encode(text)
    for (const split of [1, 7, 50, bytes.length]) {
      const chunks: Uint8Array[] = []
      for (let at = 0; at < bytes.length; at += split) chunks.push(bytes.slice(at, at + split))
      const out = await new Response(streamOf(chunks).pipeThrough(createCodeAssistUnwrapStream())).text()
      expect(out).toBe(
        'data: {"candidates":[{"content":{"parts":[{"text":"He"}]}}]}\n\ndata: {"candidates":[{"content":{"parts":[{"text":"llo"}]}}],"usageMetadata":{"promptTokenCount":3}}\n\n',
      )
    }
  })
})

describe('AWS event stream', () => {
  const frames = [kiroEvent('assistantResponseEvent', { content: 'Hel' }), kiroEvent('assistantResponseEvent', { content: 'lo ✓' }), kiroEvent('messageStopEvent', {})]
  const all = concatBytes(frames)

  test('CRC-32 matches zlib', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
  })

  test('decodes headers and payload of one message', () => {
    const message = decodeEventStreamMessage(frames[0])
    expect(message.headers).toEqual({ ':message-type': 'event', ':event-type': 'assistantResponseEvent', ':content-type': 'application/json' })
    expect(new TextDecoder().decode(message.payload)).toBe('{"content":"Hel"}')
  })

  test('same messages at every split point of the byte stream', async () => {
    const expected = (await collect(streamOf([all]).pipeThrough(createEventStreamDecoder()))).map(describeMessage)
    expect(expected).toHaveLength(3)
    for (let split = 1; split < all.length; split++) {
      const got = await collect(streamOf([all.slice(0, split), all.slice(split)]).pipeThrough(createEventStreamDecoder()))
      expect(got.map(describeMessage)).toEqual(expected)
    }
    const bytewise = await collect(streamOf([...all].map((byte) => new Uint8Array([byte]))).pipeThrough(createEventStreamDecoder()))
    expect(bytewise.map(describeMessage)).toEqual(expected)
  })

  test('a corrupted payload fails the message checksum; a corrupted prelude fails early', async () => {
    const payloadFlip = all.slice()
    payloadFlip[frames[0].length - 6] ^= 0xff
    await expect(collect(streamOf([payloadFlip]).pipeThrough(createEventStreamDecoder()))).rejects.toThrow('message checksum mismatch')
    const preludeFlip = all.slice()
    preludeFlip[3] ^= 0x01
    await expect(collect(streamOf([preludeFlip]).pipeThrough(createEventStreamDecoder()))).rejects.toThrow(EventStreamError)
  })

  test('a stream cut inside a message is an error, not a silent end', async () => {
    await expect(collect(streamOf([all.slice(0, all.length - 3)]).pipeThrough(createEventStreamDecoder()))).rejects.toThrow('ended inside a message')
  })

  test('typed headers: bool, int, long, bytes, uuid', () => {
    const header = (name: string, type: number, value: number[]) => [name.length, ...new TextEncoder().encode(name), type, ...value]
    const headers = [
      ...header('t', 0, []),
      ...header('f', 1, []),
      ...header('i', 4, [0, 0, 1, 0]),
      ...header('l', 5, [0, 0, 0, 0, 0, 0, 0, 9]),
      ...header('b', 6, [0, 2, 7, 8]),
      ...header('u', 9, Array.from({ length: 16 }, (_, i) => i)),
    ]
    const total = 12 + headers.length + 4
    const frame = new Uint8Array(total)
    const view = new DataView(frame.buffer)
    view.setUint32(0, total)
    view.setUint32(4, headers.length)
    view.setUint32(8, crc32(frame, 0, 8))
    frame.set(headers, 12)
    view.setUint32(total - 4, crc32(frame, 0, total - 4))
    const message = decodeEventStreamMessage(frame)
    expect(message.headers).toEqual({ t: true, f: false, i: 256, l: 9n, b: new Uint8Array([7, 8]), u: new Uint8Array(Array.from({ length: 16 }, (_, i) => i)) })
  })
})

function describeMessage(message: EventStreamMessage) {
  return { headers: message.headers, payload: new TextDecoder().decode(message.payload) }
}

async function kiroEvents(frames: Uint8Array[]): Promise<StreamEvent[]> {
  return collect(streamOf(frames).pipeThrough(createEventStreamDecoder()).pipeThrough(createKiroEventDecoder({ id: 'msg-1', model: 'claude-sonnet-4.5' })))
}

describe('Kiro stream → IR', () => {
  test('text, then a streamed tool call, then usage and finish', async () => {
    const events = await kiroEvents([
      kiroEvent('assistantResponseEvent', { content: 'Let me look.' }),
      kiroEvent('toolUseEvent', { toolUseId: 'tu-1', name: 'read_file', input: '{"path":' }),
      kiroEvent('toolUseEvent', { toolUseId: 'tu-1', name: 'read_file', input: '"a.ts"}' }),
      kiroEvent('toolUseEvent', { toolUseId: 'tu-1', name: 'read_file', stop: true }),
      kiroEvent('meteringEvent', { unit: 'credit', usage: 0.1 }),
      kiroEvent('contextUsageEvent', { contextUsagePercentage: 3.2 }),
      kiroEvent('metricsEvent', { inputTokens: 120, outputTokens: 30 }),
    ])
    expect(events).toEqual([
      { type: 'message-start', id: 'msg-1', model: 'claude-sonnet-4.5' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, text: 'Let me look.' },
      { type: 'text-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'tu-1', name: 'read_file' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"path":' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '"a.ts"}' },
      { type: 'tool-call-end', index: 1 },
      { type: 'usage', usage: { inputTokens: 120, outputTokens: 30 } },
      { type: 'finish', finishReason: 'tool-calls', rawReason: 'tool_use' },
      { type: 'message-end' },
    ])
  })

  test('no token counts reported: no usage is invented', async () => {
    const events = await kiroEvents([kiroEvent('assistantResponseEvent', { content: 'hi' }), kiroEvent('contextUsageEvent', { contextUsagePercentage: 12 })])
    expect(events.some((event) => event.type === 'usage')).toBe(false)
    expect(events.at(-2)).toEqual({ type: 'finish', finishReason: 'stop', rawReason: 'end_turn' })
  })

  test('an exception frame becomes a terminal error with its status', async () => {
    const exception = encodeEventStreamFrame({ ':message-type': 'exception', ':exception-type': 'ThrottlingException', ':content-type': 'application/json' }, '{"message":"slow down"}')
    const events = await kiroEvents([kiroEvent('assistantResponseEvent', { content: 'a' }), exception])
    expect(events.at(-1)).toEqual({ type: 'error', error: { status: 429, kind: 'rate_limit', message: 'ThrottlingException: slow down', code: 'ThrottlingException' } })
    expect(events.some((event) => event.type === 'message-end')).toBe(false)
  })

  test('adapted to OpenAI Chat SSE', async () => {
    const bytes = concatBytes([kiroEvent('assistantResponseEvent', { content: 'Hi there' }), kiroEvent('messageStopEvent', {})])
    const out = await new Response(
      streamOf([bytes]).pipeThrough(createKiroToOpenAIChatStream({ clock: { now: () => 1_700_000_000_000 }, ids: sequentialIds(), model: 'kr/claude-sonnet-4.5', id: 'chatcmpl-1' })),
    ).text()
    const chunks = out
      .split('\n\n')
      .filter((block) => block.startsWith('data: ') && !block.includes('[DONE]'))
      .map((block) => JSON.parse(block.slice(6)))
    expect(chunks.map((chunk) => chunk.choices?.[0]?.delta?.content).join('')).toBe('Hi there')
    expect(chunks.some((chunk) => chunk.choices?.[0]?.finish_reason === 'stop')).toBe(true)
  })
})

describe('Kiro request', () => {
  const request: ChatRequest = {
    model: 'claude-sonnet-4.5',
    system: [{ type: 'text', text: 'Be terse.' }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Read a.ts' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Sure.' }, { type: 'tool-call', id: 'tu-1', name: 'read_file', arguments: '{"path":"a.ts"}' }] },
      { role: 'tool', content: [{ type: 'tool-result', callId: 'tu-1', content: [{ type: 'text', text: 'export {}' }] }] },
    ],
    tools: [{ name: 'read_file', description: 'Reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }],
    maxTokens: 1000,
    stream: true,
    extensions: {},
  }
  test('history alternates, tool results ride on the current user turn, tools only there', () => {
    expect(encodeKiroRequest(request, { modelId: 'claude-sonnet-4.5', conversationId: 'conv-1', profileArn: 'arn:aws:p' })).toEqual({
      conversationState: {
        chatTriggerType: 'MANUAL',
        conversationId: 'conv-1',
        history: [
          { userInputMessage: { content: 'Be terse.\n\nRead a.ts', modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' } },
          { assistantResponseMessage: { content: 'Sure.', toolUses: [{ toolUseId: 'tu-1', name: 'read_file', input: { path: 'a.ts' } }] } },
        ],
        currentMessage: {
          userInputMessage: {
            content: 'Tool results provided.',
            modelId: 'claude-sonnet-4.5',
            origin: 'AI_EDITOR',
            userInputMessageContext: {
              toolResults: [{ toolUseId: 'tu-1', status: 'success', content: [{ text: 'export {}' }] }],
              tools: [{ toolSpecification: { name: 'read_file', description: 'Reads a file', inputSchema: { json: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } } }],
            },
          },
        },
      },
      inferenceConfig: { maxTokens: 1000 },
      profileArn: 'arn:aws:p',
    })
  })
})
