import { describe, expect, test } from 'bun:test'
import { ProxyError } from '../../../src/core/errors'
import { translateRequest } from '../../../src/core/translate'
import { anthropicMessages } from '../../../src/formats/anthropic-messages'
import { openaiChat } from '../../../src/formats/openai-chat'
import { ollamaFormat } from '../../../src/formats/ollama'
import { chatRequest } from './fixtures'

const format = ollamaFormat
const target = { model: 'llama3.1:8b' }

describe('ollama request decode', () => {
  test('a full request in IR: ids call_<n>, results matched by tool_name then order', () => {
    expect(format.request.decode(chatRequest)).toEqual({
      model: 'llama3.1',
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [
        { role: 'user', content: [
          { type: 'text', text: 'What is in this image, and the weather in Paris?' },
          { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUg==' } },
          { type: 'image', source: { type: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQSkZJRg==' } },
        ] },
        { role: 'assistant', content: [
          { type: 'reasoning', text: 'Need the weather tool.' },
          { type: 'tool-call', id: 'call_0', name: 'get_time', arguments: '{}' },
          { type: 'tool-call', id: 'call_1', name: 'get_current_weather', arguments: '{"location":"Paris, FR","format":"celsius"}' },
        ] },
        { role: 'tool', content: [
          { type: 'tool-result', callId: 'call_1', name: 'get_current_weather', content: [{ type: 'text', text: '22 degrees' }] },
          { type: 'tool-result', callId: 'call_0', name: 'get_time', content: [{ type: 'text', text: '10:00' }] },
        ] },
        { role: 'assistant', content: [{ type: 'text', text: 'A cat. 22°C at 10:00.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
      ],
      tools: [
        { name: 'get_current_weather', description: 'Get the current weather for a location', parameters: chatRequest.tools[0].function.parameters },
        { name: 'get_time', parameters: { type: 'object', properties: {} } },
      ],
      temperature: 0.2, topP: 0.9, topK: 40, maxTokens: 256, stop: ['###'], seed: 101,
      responseFormat: { type: 'json-schema', schema: chatRequest.format },
      reasoning: { enabled: true },
      stream: true,
      extensions: { ollama: { options: { num_ctx: 8192 }, keep_alive: '10m' } },
    })
  })

  test('`stream` omitted means streaming in Ollama; `false` does not', () => {
    expect(format.request.decode({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).stream).toBe(true)
    expect(format.request.decode({ model: 'm', messages: [], stream: false }).stream).toBe(false)
  })

  test('format "json", think levels, unlimited num_predict', () => {
    const request = format.request.decode({ model: 'gpt-oss:20b', messages: [], format: 'json', think: 'high', options: { num_predict: -1 } })
    expect(request).toMatchObject({ responseFormat: { type: 'json' }, reasoning: { enabled: true, effort: 'high' }, extensions: { ollama: { think: 'high', options: { num_predict: -1 } } } })
    expect(request.maxTokens).toBeUndefined()
  })

  test('malformed bodies are invalid_request errors', () => {
    expect(() => format.request.decode('x')).toThrow(ProxyError)
    expect(() => format.request.decode({ model: 'm', messages: [{ role: 'wizard', content: 'x' }] })).toThrow('wizard')
  })
})

describe('ollama request encode', () => {
  test('round trip: Ollama → IR → Ollama keeps the request', () => {
    const body = format.request.encode(format.request.decode(chatRequest), target)
    expect(body).toEqual({ ...chatRequest, model: 'llama3.1:8b', stream: true, messages: chatRequest.messages.map((message) =>
      // the second result gains the tool name the decoder matched it to
      message.role === 'tool' && !('tool_name' in message) ? { ...message, tool_name: 'get_time' } : message) })
    expect(format.request.decode(body)).toEqual({ ...format.request.decode(chatRequest), model: 'llama3.1:8b' })
  })

  test('a chat request for an Ollama upstream: flattened content, base64 images, tool names, arguments as objects', () => {
    const chat = {
      model: 'x',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
          { type: 'image_url', image_url: { url: 'https://example.com/remote.png' } },
        ] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'f', arguments: '{"q":1}' } }] },
        { role: 'tool', tool_call_id: 'call_abc', content: 'result' },
      ],
      tools: [{ type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object', properties: { q: { type: 'number' } } } } }],
      tool_choice: 'auto',
      max_tokens: 50, temperature: 0, stop: 'END', stream: false,
      response_format: { type: 'json_object' },
      reasoning_effort: 'low',
    }
    expect(translateRequest(chat, openaiChat, format, target)).toEqual({
      model: 'llama3.1:8b',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'look', images: ['iVBORw0K'] },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: { q: 1 } } }] },
        { role: 'tool', content: 'result', tool_name: 'f' },
      ],
      tools: [{ type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object', properties: { q: { type: 'number' } } } } }],
      format: 'json',
      options: { temperature: 0, num_predict: 50, stop: ['END'] },
      stream: false,
      think: true,
    })
  })

  test('an Anthropic request with thinking turned off and a stream', () => {
    const body = translateRequest({
      model: 'x', max_tokens: 100, stream: true, thinking: { type: 'disabled' },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }],
    }, anthropicMessages, format, target) as Record<string, unknown>
    expect(body).toEqual({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'a\n\nb' }], options: { num_predict: 100 }, stream: true, think: false })
  })
})
