import { describe, expect, test } from 'bun:test'
import { ProxyError } from '../../../src/core/errors'
import { fixedClock, sequentialIds } from '../../../src/core/ids'
import type { ChatResponse, FinishReason } from '../../../src/core/ir'
import { translateResponse } from '../../../src/core/translate'
import { anthropicMessages } from '../../../src/formats/anthropic-messages'
import { geminiFormat } from '../../../src/formats/gemini'
import { decodeGeminiError, decodeGeminiErrorObject, encodeGeminiError, encodeGeminiStreamError } from '../../../src/formats/gemini/errors'
import { mapGeminiFinishReason, toGeminiFinishReason } from '../../../src/formats/gemini/finish-reason'
import { decodeGeminiUsage, encodeGeminiUsage } from '../../../src/formats/gemini/usage'
import { openaiChat } from '../../../src/formats/openai-chat'
import { readJsonFixture } from '../../helpers/fixtures'

const context = () => ({ clock: fixedClock(1_700_000_000_000), ids: sequentialIds() })
const names = ['google-text', 'google-reasoning', 'google-reasoning-gemini3', 'google-tool-call']
const bodies = names.map((name) => [name, readJsonFixture('gemini', name) as any] as const)

describe('gemini response decoder', () => {
  test('text with its signature: a text part, then a signature-only reasoning part', () => {
    const body = readJsonFixture('gemini', 'google-text') as any
    expect(geminiFormat.response.decode(body)).toEqual({
      id: 'Un6LacrVMcjUxs0PmJfWoQc',
      model: 'gemini-3-pro-preview',
      content: [
        { type: 'text', text: 'There are **3** r\'s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.' },
        { type: 'reasoning', text: '', signature: body.candidates[0].content.parts[0].thoughtSignature, origin: 'gemini' },
      ],
      finishReason: 'stop',
      rawFinishReason: 'STOP',
      usage: { inputTokens: 9, outputTokens: 272, reasoningTokens: 244 },
      extensions: { gemini: { usageMetadata: { promptTokensDetails: [{ modality: 'TEXT', tokenCount: 9 }] } } },
    } satisfies ChatResponse)
  })

  test('a function call: deterministic id, arguments, signature; STOP with a call is tool-calls', () => {
    const body = readJsonFixture('gemini', 'google-tool-call') as any
    const response = geminiFormat.response.decode(body)
    expect(response.content).toEqual([
      { type: 'tool-call', id: 'call_m36LaZGyCLz1xs0PtNSB-QU_0', name: 'weather', arguments: '{"location":"San Francisco"}', signature: body.candidates[0].content.parts[0].thoughtSignature },
    ])
    expect(response.finishReason).toBe('tool-calls')
    expect(response.usage).toEqual({ inputTokens: 29, outputTokens: 908, reasoningTokens: 893 })
    expect(response.extensions.gemini?.candidate).toEqual({ finishMessage: 'Model generated function call(s).' })
  })

  test('thought parts, cached tokens, other parts and a blocked prompt', () => {
    const response = geminiFormat.response.decode({
      candidates: [{
        content: { role: 'model', parts: [{ text: 'thinking…', thought: true }, { text: 'Done.' }, { executableCode: { language: 'PYTHON', code: 'print(1)' } }] },
        finishReason: 'RECITATION',
        safetyRatings: [],
      }],
      usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 80, candidatesTokenCount: 5, thoughtsTokenCount: 10, totalTokenCount: 115 },
      responseId: 'r/1',
      createTime: '2026-01-02T03:04:05.678Z',
    })
    expect(response).toMatchObject({
      content: [
        { type: 'reasoning', text: 'thinking…', origin: 'gemini' },
        { type: 'text', text: 'Done.' },
        { type: 'raw', format: 'gemini', value: { executableCode: { language: 'PYTHON', code: 'print(1)' } } },
      ],
      finishReason: 'content-filter',
      rawFinishReason: 'RECITATION',
      usage: { inputTokens: 100, cacheReadTokens: 80, outputTokens: 15, reasoningTokens: 10 },
      created: Math.floor(Date.parse('2026-01-02T03:04:05.678Z') / 1000),
      extensions: { gemini: { createTime: '2026-01-02T03:04:05.678Z', candidate: { safetyRatings: [] } } },
    })
    const blocked = geminiFormat.response.decode({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 3 } })
    expect(blocked).toMatchObject({ content: [], finishReason: 'content-filter', rawFinishReason: 'SAFETY', usage: { inputTokens: 3 } })
    expect(() => geminiFormat.response.decode('nope')).toThrow(ProxyError)
  })
})

describe('gemini response encoder', () => {
  test.each(bodies.filter(([name]) => name !== 'google-tool-call'))('%s: decode then encode gives the body back', (_, body) => {
    expect(geminiFormat.response.encode(geminiFormat.response.decode(body), context())).toEqual(body)
  })

  test.each(bodies)('%s: the IR survives a trip through its own format', (_, body) => {
    const response = geminiFormat.response.decode(body)
    const again = geminiFormat.response.decode(JSON.parse(JSON.stringify(geminiFormat.response.encode(response, context()))))
    expect(again).toEqual(response)
  })

  test('a tool call answer carries its id for the client; the client model name and a fresh id fill gaps', () => {
    const response: ChatResponse = {
      id: '',
      model: 'claude-opus',
      content: [
        { type: 'reasoning', text: 'Let me look.', signature: 'anthropic-sig', origin: 'anthropic-messages' },
        { type: 'reasoning', text: '', redactedData: 'xyz', origin: 'anthropic-messages' },
        { type: 'text', text: 'Reading.' },
        { type: 'tool-call', id: 'toolu_1', name: 'read', arguments: '{"path":"a"}' },
        { type: 'raw', format: 'anthropic-messages', value: { type: 'server_tool_use' } },
      ],
      finishReason: 'tool-calls',
      rawFinishReason: 'tool_use',
      usage: { inputTokens: 50, outputTokens: 20, cacheReadTokens: 40, cacheWriteTokens: 5 },
      extensions: {},
    }
    expect(geminiFormat.response.encode(response, { ...context(), model: 'cc/claude-opus' })).toEqual({
      candidates: [{
        content: {
          role: 'model',
          parts: [{ text: 'Let me look.', thought: true }, { text: 'Reading.' }, { functionCall: { name: 'read', args: { path: 'a' }, id: 'toolu_1' } }],
        },
        finishReason: 'STOP',
        index: 0,
      }],
      usageMetadata: { promptTokenCount: 50, candidatesTokenCount: 20, cachedContentTokenCount: 40, totalTokenCount: 70 },
      modelVersion: 'cc/claude-opus',
      responseId: 'resp_1',
    })
  })

  test('gemini bodies translate to OpenAI and Anthropic clients and keep text, calls, finish and usage', () => {
    for (const [, body] of bodies) {
      const original = geminiFormat.response.decode(body)
      for (const format of [openaiChat, anthropicMessages]) {
        const again = format.response.decode(JSON.parse(JSON.stringify(translateResponse(body, geminiFormat, format, context()))))
        // Gemini signatures mean nothing to these formats: they stay behind
        const unsigned = original.content.filter((part) => part.type !== 'reasoning').map((part) => (part.type === 'tool-call' ? { ...part, signature: undefined } : part))
        expect(again.content.filter((part) => part.type !== 'reasoning')).toEqual(unsigned)
        expect(again.finishReason).toBe(original.finishReason)
        expect(again.usage?.inputTokens).toBe(original.usage?.inputTokens)
        expect(again.usage?.outputTokens).toBe(original.usage?.outputTokens)
      }
    }
  })
})

describe('gemini finish reasons and usage', () => {
  test('finish reasons both ways', () => {
    const table: Array<[string, boolean, FinishReason]> = [
      ['STOP', false, 'stop'], ['STOP', true, 'tool-calls'], ['MAX_TOKENS', false, 'length'], ['SAFETY', false, 'content-filter'],
      ['RECITATION', false, 'content-filter'], ['PROHIBITED_CONTENT', false, 'content-filter'], ['SPII', false, 'content-filter'],
      ['MALFORMED_FUNCTION_CALL', false, 'error'], ['MISSING_THOUGHT_SIGNATURE', false, 'error'], ['OTHER', false, 'other'],
      ['LANGUAGE', false, 'other'], ['FINISH_REASON_UNSPECIFIED', false, 'other'],
    ]
    for (const [raw, calls, unified] of table) {
      expect(mapGeminiFinishReason(raw, calls)).toBe(unified)
      expect(toGeminiFinishReason(unified, raw)).toBe(raw)
    }
    expect(mapGeminiFinishReason(undefined)).toBe('other')
    const fromOthers: Array<[FinishReason, string | undefined, string]> = [
      ['stop', 'end_turn', 'STOP'], ['tool-calls', 'tool_calls', 'STOP'], ['length', 'max_tokens', 'MAX_TOKENS'],
      ['content-filter', 'refusal', 'SAFETY'], ['error', undefined, 'STOP'], ['other', 'pause_turn', 'STOP'], ['stop', 'MAX_TOKENS', 'STOP'],
    ]
    for (const [unified, raw, wire] of fromOthers) expect(toGeminiFinishReason(unified, raw)).toBe(wire)
  })

  test('usage both ways: output includes thoughts, cache reads inside the prompt', () => {
    const wire = { promptTokenCount: 120, cachedContentTokenCount: 100, candidatesTokenCount: 30, thoughtsTokenCount: 70, totalTokenCount: 220 }
    const usage = decodeGeminiUsage(wire)
    expect(usage).toEqual({ inputTokens: 120, cacheReadTokens: 100, outputTokens: 100, reasoningTokens: 70 })
    expect(encodeGeminiUsage(usage)).toEqual(wire)
    expect(decodeGeminiUsage({ trafficType: 'ON_DEMAND' })).toEqual({})
    expect(decodeGeminiUsage({ promptTokenCount: 5, thoughtsTokenCount: 3 })).toEqual({ inputTokens: 5, outputTokens: 3, reasoningTokens: 3 })
    // xAI reports reasoning apart from output: the total output is kept, reasoning is capped at it
    expect(encodeGeminiUsage({ inputTokens: 12, outputTokens: 2, reasoningTokens: 340 }))
      .toEqual({ promptTokenCount: 12, candidatesTokenCount: 0, thoughtsTokenCount: 2, totalTokenCount: 14 })
  })
})

describe('gemini errors', () => {
  test('the recorded 429 body: rate limit, Google status kept as code, retry delay read', () => {
    const body = readJsonFixture('gemini', 'google-429-retry-info') as any
    expect(decodeGeminiErrorObject(body.error)).toEqual({
      status: 429, kind: 'rate_limit', message: 'You exceeded your current quota, please check your plan.', code: 'RESOURCE_EXHAUSTED', retryAfterMs: 34_400,
    })
    const error = decodeGeminiError(429, body)
    expect(error).toBeInstanceOf(ProxyError)
    expect(error).toMatchObject({ kind: 'rate_limit', status: 429, code: 'RESOURCE_EXHAUSTED' })
    expect(decodeGeminiError(503, [{ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }])).toMatchObject({ kind: 'overloaded', status: 503 })
    expect(decodeGeminiError(500, 'not json')).toMatchObject({ kind: 'upstream', status: 500, message: 'upstream answered HTTP 500' })
    expect(decodeGeminiErrorObject({ code: 404, message: 'models/x is not found' })).toMatchObject({ kind: 'not_found', status: 404 })
  })

  test('errors encode as Google error bodies and in-band events', () => {
    const error = new ProxyError('rate_limit', 'slow down')
    expect(encodeGeminiError(error)).toEqual({ status: 429, body: { error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } } })
    expect(encodeGeminiStreamError(error)).toEqual({ data: '{"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}}' })
    expect(decodeGeminiErrorObject(JSON.parse(encodeGeminiStreamError(error).data).error)).toMatchObject({ kind: 'rate_limit', status: 429, message: 'slow down' })
  })
})
