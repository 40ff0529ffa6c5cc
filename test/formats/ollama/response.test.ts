import { describe, expect, test } from 'bun:test'
import { ProxyError } from '../../../src/core/errors'
import { fixedClock, sequentialIds } from '../../../src/core/ids'
import { translateResponse } from '../../../src/core/translate'
import { openaiChat } from '../../../src/formats/openai-chat'
import { ollamaFormat, renderOllamaTags } from '../../../src/formats/ollama'
import { listChunkFixtures, readJsonFixture } from '../../helpers/fixtures'
import { thinkingBody, toolBody } from './fixtures'

const format = ollamaFormat
const context = () => ({ clock: fixedClock(1_700_000_000_000), ids: sequentialIds() })

describe('ollama non-stream bodies', () => {
  test('tool call: deterministic id, arguments as JSON text, tool-calls finish, counts', () => {
    expect(format.response.decode(toolBody)).toEqual({
      id: '',
      model: 'llama3.2',
      content: [{ type: 'tool-call', id: 'call_0', name: 'get_current_weather', arguments: '{"format":"celsius","location":"Paris, FR"}' }],
      finishReason: 'tool-calls',
      rawFinishReason: 'stop',
      usage: { inputTokens: 122, outputTokens: 33 },
      created: 1721680408,
      extensions: { ollama: { total_duration: 885095291, load_duration: 3753500, prompt_eval_duration: 328493000, eval_duration: 552222000 } },
    })
  })

  test('round trip keeps the body (timings included)', () => {
    for (const body of [toolBody, thinkingBody]) {
      const encoded = format.response.encode(format.response.decode(body), context())
      expect(encoded).toEqual({ ...body, created_at: new Date(Date.parse(body.created_at) - (Date.parse(body.created_at) % 1000)).toISOString() })
    }
  })

  test('thinking comes first, then the text', () => {
    expect(format.response.decode(thinkingBody).content).toEqual([
      { type: 'reasoning', text: 'Ollama is 22 and busy.' },
      { type: 'text', text: '{"age": 22, "available": false}' },
    ])
  })

  test('an error body is an upstream error', () => {
    expect(() => format.response.decode({ error: 'model "x" not found, try pulling it first' })).toThrow(ProxyError)
  })

  test('recorded OpenAI bodies → Ollama client and back', () => {
    for (const fixture of listChunkFixtures(['openai-chat', 'deepseek'])) {
      const body = readJsonFixture(fixture.folder, fixture.name)
      if (!body) continue
      const original = openaiChat.response.decode(body)
      const translated = translateResponse(body, openaiChat, format, { ...context(), model: 'cx/gpt' }) as Record<string, any>
      expect(translated).toMatchObject({ model: 'cx/gpt', done: true, message: { role: 'assistant' } })
      const again = format.response.decode(JSON.parse(JSON.stringify(translated)))
      const text = (response: typeof original) => response.content.filter((part) => part.type === 'text').map((part) => part.text).join('')
      expect(text(again)).toBe(text(original))
      expect(again.content.filter((part) => part.type === 'tool-call').map((part) => [part.name, JSON.parse(part.arguments)]))
        .toEqual(original.content.filter((part) => part.type === 'tool-call').map((part) => [part.name, JSON.parse(part.arguments || '{}')]))
      expect(again.usage).toEqual(original.usage ? { inputTokens: original.usage.inputTokens, outputTokens: original.usage.outputTokens } : undefined)
    }
  })

  test('errors render as {"error": message}', () => {
    expect(format.error.encode(new ProxyError('not_found', 'model not found'))).toEqual({ status: 404, body: { error: 'model not found' } })
    expect(format.error.encodeStream(new ProxyError('upstream', 'boom'))).toEqual({ data: '{"error":"boom"}' })
  })
})

describe('GET /api/tags', () => {
  test('renders the model list Ollama clients expect', () => {
    const tags = renderOllamaTags(['cc/claude-opus-4-6', 'my-combo'], fixedClock(1_700_000_000_000))
    expect(tags.models).toHaveLength(2)
    expect(tags.models[0]).toEqual({
      name: 'cc/claude-opus-4-6',
      model: 'cc/claude-opus-4-6',
      modified_at: '2023-11-14T22:13:20.000Z',
      size: 0,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      details: { parent_model: '', format: 'remote', family: 'cc', families: null, parameter_size: '', quantization_level: '' },
    })
    expect(renderOllamaTags(['cc/claude-opus-4-6'], fixedClock(0)).models[0].digest).toBe(tags.models[0].digest)
    expect(tags.models[1].digest).not.toBe(tags.models[0].digest)
    expect(renderOllamaTags([], fixedClock(0))).toEqual({ models: [] })
  })
})
