import { describe, expect, test } from 'bun:test'
import { readBody, readChunks } from '../helpers/recorded'
import { startUpstreamPair, postJson } from '../helpers/upstream-pair'

const setup = () =>
  startUpstreamPair((url) => ({
    connections: [
      { name: 'gem', provider: 'gemini-compatible', prefix: 'gm', baseUrl: `${url}/v1beta`, apiKey: 'sk-gem' },
      { name: 'oa', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${url}/v1`, apiKey: 'sk-oa' },
    ],
  }))

const geminiSse = (file: string) => readChunks(file).map((line) => `data: ${line}\r\n\r\n`)
const post = postJson

describe('Gemini clients and upstreams', () => {
  test('Gemini passthrough: model from the path (with a slash), key in x-goog-api-key, stream via alt=sse', async () => {
    await using env = await setup()
    const parts = geminiSse('gemini/google-text.chunks.txt')
    env.upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts })
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }
    const response = await post(`${env.modelmux.url}/v1beta/models/gm/gemini-2.5-pro:streamGenerateContent?alt=sse`, body, { 'x-goog-api-key': 'client-key' })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-modelmux-model')).toBe('gm/gemini-2.5-pro')
    const received = env.upstream.received[0]
    expect(received.path).toBe('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse')
    expect(received.headers['x-goog-api-key']).toBe('sk-gem')
    expect(JSON.parse(received.body)).toEqual(body)
    const text = await response.text()
    expect(text).toBe(parts.join('').replace(/"modelVersion":"[^"]*"/g, '"modelVersion":"gm/gemini-2.5-pro"').replace(/"model":"[^"]*"/g, '"model":"gm/gemini-2.5-pro"'))
  })

  test('@google/genai style: /v1/models/{model}:generateContent answered from an OpenAI upstream in Gemini shape', async () => {
    await using env = await setup()
    env.upstream.reply({ parts: [readBody('openai-chat/openai-text.json')] })
    const response = await post(`${env.modelmux.url}/v1/models/oa/gpt-4o:generateContent`, {
      systemInstruction: { parts: [{ text: 'be brief' }] },
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      generationConfig: { maxOutputTokens: 50, temperature: 0.2 },
    })
    expect(response.status).toBe(200)
    const sent = JSON.parse(env.upstream.received[0].body)
    expect(sent).toMatchObject({ model: 'gpt-4o', temperature: 0.2, messages: [{ role: 'system', content: 'be brief' }, { role: 'user' }] })
    const json = await response.json()
    expect(json.candidates[0].content.parts[0].text).toBe(JSON.parse(readBody('openai-chat/openai-text.json')).choices[0].message.content)
    expect(json.usageMetadata.promptTokenCount).toBeGreaterThan(0)
  })

  test('OpenAI client streaming from a Gemini upstream with a tool call', async () => {
    await using env = await setup()
    env.upstream.reply({ headers: { 'content-type': 'text/event-stream' }, parts: geminiSse('gemini/google-tool-call.chunks.txt') })
    const response = await post(`${env.modelmux.url}/v1/chat/completions`, {
      model: 'gm/gemini-2.5-flash',
      stream: true,
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }],
      messages: [{ role: 'user', content: 'weather?' }],
    })
    expect(env.upstream.received[0].path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
    const chunks = (await response.text()).split('\n\n').filter((e) => e.startsWith('data: ') && !e.includes('[DONE]')).map((e) => JSON.parse(e.slice(6)))
    const calls = chunks.flatMap((c) => c.choices?.[0]?.delta?.tool_calls ?? [])
    expect(calls[0].function.name).toBeTruthy()
    expect(chunks.some((c) => c.choices?.[0]?.finish_reason === 'tool_calls')).toBe(true)
  })

  test('Gemini in-band errors come out as {"error":{"code":…}} for Gemini clients', async () => {
    await using env = await setup()
    env.upstream.reply({ status: 429, parts: [readBody('gemini/google-429-retry-info.json')] })
    const response = await post(`${env.modelmux.url}/v1beta/models/oa/x:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] })
    expect(response.status).toBe(429)
    const json = await response.json()
    expect(json.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' })
  })
})
