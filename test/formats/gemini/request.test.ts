import { describe, expect, test } from 'bun:test'
import { accumulateEvents } from '../../../src/core/accumulate'
import { ProxyError } from '../../../src/core/errors'
import { fixedClock, sequentialIds } from '../../../src/core/ids'
import type { ChatRequest, StreamEvent } from '../../../src/core/ir'
import { type SseEvent, toTransformStream } from '../../../src/core/sse'
import { decodeStream } from '../../../src/core/translate'
import { anthropicMessages } from '../../../src/formats/anthropic-messages'
import { geminiFormat } from '../../../src/formats/gemini'
import { placeholderSignature } from '../../../src/formats/gemini/content'
import { encodeThinkingConfig } from '../../../src/formats/gemini/request'
import { cleanGeminiSchema } from '../../../src/formats/gemini/schema'
import { openaiChat } from '../../../src/formats/openai-chat'
import { arrayStream, collect, readChunkLines, streamOf, toSseText } from '../../helpers/fixtures'

const { decode, encode } = geminiFormat.request
const context = () => ({ clock: fixedClock(1_700_000_000_000), ids: sequentialIds() })

/** A Gemini CLI style request with every feature the codec maps. */
const geminiBody = {
  contents: [
    {
      role: 'user',
      parts: [
        { text: 'Weather in Paris and Rome? Map attached.' },
        { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
        { fileData: { mimeType: 'application/pdf', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc' } },
      ],
    },
    {
      role: 'model',
      parts: [
        { text: 'Two cities, two calls.', thought: true },
        { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnLTE=' },
        { functionCall: { name: 'weather', args: { city: 'Rome' } } },
      ],
    },
    {
      role: 'user',
      parts: [
        { functionResponse: { name: 'weather', response: { output: 'sunny' } } },
        { functionResponse: { name: 'weather', response: { temperature: 21 } } },
      ],
    },
    { role: 'model', parts: [{ text: 'Paris is sunny; Rome is 21°C.', thoughtSignature: 'c2lnLTI=' }] },
    { role: 'user', parts: [{ text: 'Thanks!' }] },
  ],
  systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Use tools.' }] },
  tools: [
    {
      functionDeclarations: [
        { name: 'weather', description: 'Weather for a city', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING', description: 'City name' } }, required: ['city'] } },
        { name: 'now', description: 'Current time' },
        { name: 'lookup', parametersJsonSchema: { type: 'object', properties: { q: { type: 'string' } }, additionalProperties: false } },
      ],
    },
    { googleSearch: {} },
  ],
  toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } },
  generationConfig: {
    maxOutputTokens: 1024, temperature: 0.2, topP: 0.9, topK: 40, stopSequences: ['END'], seed: 7, presencePenalty: 0.1, frequencyPenalty: 0.2,
    responseMimeType: 'application/json',
    responseSchema: { type: 'OBJECT', properties: { answer: { type: 'STRING', enum: ['yes', 'no'] } }, required: ['answer'] },
    thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
    candidateCount: 1,
  },
  safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
  cachedContent: 'cachedContents/xyz',
}

describe('gemini request decoder', () => {
  test('a full request decodes to the IR: roles, parts, ids, tools, tool choice, settings, extensions', () => {
    const request = decode(geminiBody)
    expect(request).toEqual({
      model: '',
      stream: false,
      system: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Use tools.' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris and Rome? Map attached.' },
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'file', source: { type: 'url', url: 'https://generativelanguage.googleapis.com/v1beta/files/abc', mediaType: 'application/pdf' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Two cities, two calls.', origin: 'gemini' },
            { type: 'tool-call', id: 'call_1_1', name: 'weather', arguments: '{"city":"Paris"}', signature: 'c2lnLTE=' },
            { type: 'tool-call', id: 'call_1_2', name: 'weather', arguments: '{"city":"Rome"}' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', callId: 'call_1_1', name: 'weather', content: [{ type: 'text', text: 'sunny' }], extensions: { gemini: { response: { output: 'sunny' } } } },
            { type: 'tool-result', callId: 'call_1_2', name: 'weather', content: [{ type: 'text', text: '{"temperature":21}' }], extensions: { gemini: { response: { temperature: 21 } } } },
          ],
        },
        {
          role: 'assistant',
          content: [{ type: 'text', text: 'Paris is sunny; Rome is 21°C.' }, { type: 'reasoning', text: '', signature: 'c2lnLTI=', origin: 'gemini' }],
        },
        { role: 'user', content: [{ type: 'text', text: 'Thanks!' }] },
      ],
      tools: [
        { name: 'weather', description: 'Weather for a city', parameters: geminiBody.tools[0].functionDeclarations![0].parameters! },
        { name: 'now', description: 'Current time', parameters: { type: 'object', properties: {} }, extensions: { gemini: { noParameters: true } } },
        { name: 'lookup', parameters: geminiBody.tools[0].functionDeclarations![2].parametersJsonSchema!, extensions: { gemini: { parametersField: 'parametersJsonSchema' } } },
      ],
      toolChoice: { type: 'tool', name: 'weather' },
      maxTokens: 1024,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stop: ['END'],
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      responseFormat: { type: 'json-schema', schema: geminiBody.generationConfig.responseSchema },
      reasoning: { enabled: true, budgetTokens: 2048, includeThoughts: true },
      extensions: {
        gemini: {
          builtinTools: [{ googleSearch: {} }],
          thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
          generationConfig: { candidateCount: 1 },
          safetySettings: geminiBody.safetySettings,
          cachedContent: 'cachedContents/xyz',
        },
      },
    } satisfies ChatRequest)
  })

  test('gemini → IR → gemini gives the same body back', () => {
    expect(encode(decode(geminiBody), { model: 'gemini-2.5-flash' })).toEqual(geminiBody)
    const snakeCase = { contents: [{ parts: [{ text: 'hi' }] }], system_instruction: { role: 'user', parts: [{ text: 'sys' }] } }
    expect(encode(decode(snakeCase), { model: 'm' })).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], systemInstruction: { role: 'user', parts: [{ text: 'sys' }] } })
  })

  test('calls without ids get positional ids; results without ids take them by name, in order', () => {
    const body = {
      contents: [
        { role: 'model', parts: [{ functionCall: { name: 'f', args: { n: 1 } }, thoughtSignature: 'cw==' }, { functionCall: { name: 'g' } }, { functionCall: { name: 'f', args: { n: 2 } } }] },
        { role: 'function', parts: [{ functionResponse: { name: 'f', response: { error: 'boom' } } }, { functionResponse: { name: 'g', response: {} } }, { functionResponse: { name: 'f', response: { output: 'ok' } } }] },
      ],
    }
    const request = decode(body)
    expect(request.messages[0].content.map((part) => part.type === 'tool-call' && part.id)).toEqual(['call_0_0', 'call_0_1', 'call_0_2'])
    expect(request.messages[1]).toMatchObject({ role: 'tool', extensions: { gemini: { role: 'function' } } })
    expect(request.messages[1].content.map((part) => part.type === 'tool-result' && [part.callId, part.isError ?? false, part.content])).toEqual([
      ['call_0_0', true, [{ type: 'text', text: 'boom' }]],
      ['call_0_1', false, [{ type: 'text', text: '{}' }]],
      ['call_0_2', false, [{ type: 'text', text: 'ok' }]],
    ])
    // ids made up here are not sent to Gemini; the body comes back as it was (a call without
    // arguments is sent with an explicit empty `args`)
    const expected = structuredClone(body) as any
    expected.contents[0].parts[1].functionCall.args = {}
    expect(encode(request, { model: 'm' })).toEqual(expected)
  })

  test('ids Gemini sent are kept and sent back, in calls and results', () => {
    const body = {
      contents: [
        { role: 'model', parts: [{ functionCall: { id: 'fc-1', name: 'f', args: {} }, thoughtSignature: 'cw==' }, { functionCall: { id: 'fc-2', name: 'f', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { id: 'fc-2', name: 'f', response: { output: 'two' } } }, { functionResponse: { id: 'fc-1', name: 'f', response: { output: 'one' } } }] },
      ],
    }
    const request = decode(body)
    expect(request.messages[1].content.map((part) => part.type === 'tool-result' && part.callId)).toEqual(['fc-2', 'fc-1'])
    expect(encode(request, { model: 'm' })).toEqual(body)
  })

  test('a decoded request is deterministic: the same body gives the same ids', () => {
    expect(decode(geminiBody)).toEqual(decode(structuredClone(geminiBody)))
  })

  test('a body without contents is an invalid request', () => {
    expect(() => decode({ messages: [] })).toThrow(ProxyError)
    expect(() => decode({ contents: [1] })).toThrow('contents')
    try {
      decode(null)
    } catch (error) {
      expect(error).toMatchObject({ kind: 'invalid_request', status: 400, param: 'contents' })
    }
  })
})

describe('gemini request encoder from other formats', () => {
  test('an OpenAI chat request becomes the expected Gemini body', () => {
    const openaiBody = {
      model: 'gc/gemini-2.5-flash',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'What is this, and the weather?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        { role: 'assistant', content: null, tool_calls: [
          { id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_def', type: 'function', function: { name: 'get_time', arguments: '' } },
        ] },
        { role: 'tool', tool_call_id: 'call_abc', content: '{"temp":21}' },
        { role: 'tool', tool_call_id: 'call_def', content: '10:00' },
        { role: 'user', content: 'And tomorrow?' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Get weather',
            parameters: {
              $schema: 'http://json-schema.org/draft-07/schema#',
              type: 'object',
              properties: { city: { type: 'string', minLength: 1, format: 'hostname' }, days: { type: ['integer', 'null'], exclusiveMinimum: 0 } },
              required: ['city', 'missing'],
              additionalProperties: false,
            },
          },
        },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: true,
      reasoning_effort: 'high',
      max_tokens: 500,
      temperature: 0.5,
      stop: ['\n\n'],
      response_format: { type: 'json_object' },
    }
    const request = openaiChat.request.decode(openaiBody)
    expect(encode(request, { model: 'gemini-2.5-flash' })).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'What is this, and the weather?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: placeholderSignature },
            { functionCall: { name: 'get_time', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { temp: 21 } } },
            { functionResponse: { name: 'get_time', response: { output: '10:00' } } },
            { text: 'And tomorrow?' },
          ],
        },
      ],
      systemInstruction: { parts: [{ text: 'You are terse.' }] },
      tools: [{
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Get weather',
            parameters: { type: 'object', properties: { city: { type: 'string', minLength: 1 }, days: { type: 'integer', nullable: true, minimum: 0 } }, required: ['city'] },
          },
          { name: 'get_time' },
        ],
      }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      generationConfig: {
        maxOutputTokens: 500, temperature: 0.5, stopSequences: ['\n\n'], responseMimeType: 'application/json',
        thinkingConfig: { thinkingBudget: 24576, includeThoughts: true },
      },
    })
    // the same request for a Gemini 3 model asks for a thinking level instead of a budget
    expect((encode(request, { model: 'gemini-3-pro-preview' }) as any).generationConfig.thinkingConfig).toEqual({ thinkingLevel: 'high', includeThoughts: true })
  })

  test('Anthropic thinking with a signature: the thinking and its signature stay behind, the call and its result go', () => {
    const anthropicBody = {
      model: 'x',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 10000 },
      system: [{ type: 'text', text: 'Sys', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'List files' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'I should call ls.', signature: 'EqQBanthropicSignature' },
            { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
            { type: 'text', text: 'Listing.' },
            { type: 'tool_use', id: 'toolu_01', name: 'ls', input: { path: '.' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: 'a.txt\nb.txt' }] },
            { type: 'text', text: 'Which is bigger?' },
          ],
        },
      ],
      tools: [{ name: 'ls', description: 'List', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }],
    }
    const body = encode(anthropicMessages.request.decode(anthropicBody), { model: 'gemini-2.5-pro' })
    expect(body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'List files' }] },
        { role: 'model', parts: [{ text: 'Listing.' }, { functionCall: { name: 'ls', args: { path: '.' } }, thoughtSignature: placeholderSignature }] },
        { role: 'user', parts: [{ functionResponse: { name: 'ls', response: { output: 'a.txt\nb.txt' } } }, { text: 'Which is bigger?' }] },
      ],
      systemInstruction: { parts: [{ text: 'Sys' }] },
      tools: [{ functionDeclarations: [{ name: 'ls', description: 'List', parameters: { type: 'object', properties: { path: { type: 'string' } } } }] }],
      generationConfig: { maxOutputTokens: 2048, thinkingConfig: { thinkingBudget: 10000, includeThoughts: true } },
    })
    expect(JSON.stringify(body)).not.toContain('anthropicSignature')
    expect(JSON.stringify(body)).not.toContain('EmwKAhgB')
  })

  test('tool results: name looked up from the call by id, images follow as sibling parts, errors as {error}', () => {
    const request: ChatRequest = {
      model: '', system: [], stream: false, extensions: {},
      messages: [
        { role: 'assistant', content: [{ type: 'tool-call', id: 'toolu_9', name: 'screenshot', arguments: '{}', signature: 'Z2VtaW5p' }] },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', callId: 'toolu_9', content: [{ type: 'text', text: 'shot' }, { type: 'image', source: { type: 'base64', mediaType: 'image/jpeg', data: '/9j/' } }] },
            { type: 'tool-result', callId: 'unknown_id', isError: true, content: [{ type: 'text', text: 'no such call' }] },
          ],
        },
      ],
    }
    expect(encode(request, { model: 'gemini-2.5-flash' })).toEqual({
      contents: [
        { role: 'model', parts: [{ functionCall: { name: 'screenshot', args: {} }, thoughtSignature: 'Z2VtaW5p' }] },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'screenshot', response: { output: 'shot' } } },
            { inlineData: { mimeType: 'image/jpeg', data: '/9j/' } },
            { functionResponse: { name: 'unknown_id', response: { error: 'no such call' } } },
          ],
        },
      ],
    })
  })

  test('media sources: remote URLs become fileData with a guessed type, other providers\' file ids are left out', () => {
    const request: ChatRequest = {
      model: '', system: [], stream: false, extensions: {},
      messages: [{
        role: 'user',
        content: [
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.JPG?size=2' } },
          { type: 'file', source: { type: 'url', url: 'https://example.com/blob' } },
          { type: 'file', source: { type: 'file-id', fileId: 'file-abc' } },
          { type: 'file', source: { type: 'text', mediaType: 'text/plain', data: 'notes' } },
        ],
      }],
    }
    expect((encode(request, { model: 'm' }) as any).contents[0].parts).toEqual([
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.JPG?size=2' } },
      { fileData: { fileUri: 'https://example.com/blob' } },
      { text: 'notes' },
    ])
  })

  test('tool choice both ways', () => {
    const withTools = (toolConfig: unknown) => ({ contents: [{ role: 'user', parts: [{ text: 'x' }] }], tools: [{ functionDeclarations: [{ name: 'a' }, { name: 'b' }] }], toolConfig })
    const cases: Array<[unknown, unknown]> = [
      [{ functionCallingConfig: { mode: 'AUTO' } }, { type: 'auto' }],
      [{ functionCallingConfig: { mode: 'NONE' } }, { type: 'none' }],
      [{ functionCallingConfig: { mode: 'ANY' } }, { type: 'required' }],
      [{ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['b'] } }, { type: 'tool', name: 'b' }],
      [{ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['a', 'b'] } }, { type: 'required' }],
      [{ functionCallingConfig: { mode: 'VALIDATED' } }, undefined],
    ]
    for (const [toolConfig, choice] of cases) {
      const request = decode(withTools(toolConfig))
      expect(request.toolChoice).toEqual(choice as never)
      expect(encode(request, { model: 'm' })).toEqual(withTools(toolConfig))
    }
    // a tool choice with no tools to choose from is not sent
    const bare = decode({ contents: [], toolConfig: { functionCallingConfig: { mode: 'ANY' } } })
    expect(encode(bare, { model: 'm' })).toEqual({ contents: [] })
  })
})

describe('gemini signatures round trip', () => {
  test('a Gemini thoughtSignature survives Gemini stream → IR → Gemini client → next request → IR → Gemini upstream', async () => {
    const lines = readChunkLines('gemini', 'google-tool-call.chunks.txt')
    const signature = JSON.parse(lines[0]).candidates[0].content.parts[0].thoughtSignature
    const events = await collect(decodeStream(streamOf(new TextEncoder().encode(toSseText(lines))), geminiFormat))
    const answer = accumulateEvents(events)
    expect(answer.content).toEqual([{ type: 'tool-call', id: 'call_b36LacjwM668nsEP2tbsgQQ_0', name: 'weather', arguments: '{"location":"San Francisco"}', signature }])
    // the Gemini client gets the call with its signature and id …
    const output = (await collect(arrayStream(events).pipeThrough(toTransformStream(geminiFormat.stream.encoder(context()))))) as SseEvent[]
    const parts = output.flatMap((event) => JSON.parse(event.data).candidates[0].content.parts).filter((part: any) => part.text !== '')
    expect(parts).toEqual([{ functionCall: { id: 'call_b36LacjwM668nsEP2tbsgQQ_0', name: 'weather', args: { location: 'San Francisco' } }, thoughtSignature: signature }])
    // … and sends it back as history with its result
    const next = decode({
      contents: [
        { role: 'user', parts: [{ text: 'Weather in SF?' }] },
        { role: 'model', parts },
        { role: 'user', parts: [{ functionResponse: { id: 'call_b36LacjwM668nsEP2tbsgQQ_0', name: 'weather', response: { output: '18°C' } } }] },
      ],
    })
    const upstream = encode(next, { model: 'gemini-3-pro-preview' }) as any
    expect(upstream.contents[1].parts[0].thoughtSignature).toBe(signature)
    expect(upstream.contents[2].parts[0].functionResponse).toEqual({ id: 'call_b36LacjwM668nsEP2tbsgQQ_0', name: 'weather', response: { output: '18°C' } })
  })

  test('a signature on text (IR from a stream: text, then a signature-only reasoning part) goes back on that text part', async () => {
    const lines = readChunkLines('gemini', 'google-text.chunks.txt')
    const answer = accumulateEvents(await collect(decodeStream(streamOf(new TextEncoder().encode(toSseText(lines))), geminiFormat)))
    const signature = JSON.parse(lines[2]).candidates[0].content.parts[0].thoughtSignature
    const request: ChatRequest = { model: '', system: [], stream: false, extensions: {}, messages: [{ role: 'user', content: [{ type: 'text', text: 'r in strawberry?' }] }, { role: 'assistant', content: answer.content }] }
    expect((encode(request, { model: 'gemini-3-pro-preview' }) as any).contents[1]).toEqual({
      role: 'model',
      parts: [{ text: 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y', thoughtSignature: signature }],
    })
  })

  test('a Gemini signature never reaches an Anthropic client as an Anthropic signature', async () => {
    const lines = readChunkLines('gemini', 'google-reasoning.chunks.txt')
    const events: StreamEvent[] = await collect(decodeStream(streamOf(new TextEncoder().encode(toSseText(lines))), geminiFormat))
    const signature = JSON.parse(lines[2]).candidates[0].content.parts[0].thoughtSignature
    expect(accumulateEvents(events).content.some((part) => part.type === 'reasoning' && part.signature === signature)).toBe(true)
    const output = (await collect(arrayStream(events).pipeThrough(toTransformStream(anthropicMessages.stream.encoder(context()))))) as SseEvent[]
    expect(output.map((event) => event.data).join('\n')).not.toContain(signature)
  })
})

describe('gemini schemas and thinking settings', () => {
  test('JSON Schema is cleaned to what Gemini accepts', () => {
    expect(cleanGeminiSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'x',
      type: 'object',
      additionalProperties: false,
      $defs: { Point: { type: 'object', properties: { x: { type: 'number', format: 'double' }, y: { type: 'number', format: 'decimal' } } } },
      properties: {
        origin: { $ref: '#/$defs/Point', description: 'Start' },
        mode: { const: 'fast' },
        level: { enum: [1, 2, 3], type: 'integer' },
        when: { type: 'string', format: 'date-time', examples: ['2026-01-01T00:00:00Z'] },
        maybe: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        either: { oneOf: [{ type: 'string' }, { type: 'number' }] },
        both: { allOf: [{ properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'boolean' } } }], type: 'object' },
        tuple: { type: 'array', items: [{ type: 'string' }], minItems: 1 },
        empty: { type: 'object', properties: {}, patternProperties: { '.*': {} } },
        count: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10, 'x-ui': 'slider' },
      },
      required: ['origin', 'ghost'],
    })).toEqual({
      type: 'object',
      properties: {
        origin: { type: 'object', description: 'Start', properties: { x: { type: 'number', format: 'double' }, y: { type: 'number' } } },
        mode: { type: 'string', enum: ['fast'] },
        level: { type: 'integer' },
        when: { type: 'string', format: 'date-time' },
        maybe: { type: 'string', nullable: true },
        either: { anyOf: [{ type: 'string' }, { type: 'number' }] },
        both: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'boolean' } }, required: ['a'] },
        tuple: { type: 'array', items: { type: 'string' }, minItems: 1 },
        empty: { type: 'object' },
        count: { type: 'integer', minimum: 0, maximum: 10 },
      },
      required: ['origin'],
    })
    // a self-referencing schema terminates
    const tree = cleanGeminiSchema({ $defs: { Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } } }, $ref: '#/$defs/Node' })
    expect(tree.type).toBe('object')
  })

  test('reasoning → thinkingConfig per model family', () => {
    expect(encodeThinkingConfig({ effort: 'low', enabled: true }, 'gemini-2.5-flash')).toEqual({ thinkingBudget: 1024, includeThoughts: true })
    expect(encodeThinkingConfig({ effort: 'max', enabled: true }, 'gemini-2.5-flash')).toEqual({ thinkingBudget: 24576, includeThoughts: true })
    expect(encodeThinkingConfig({ budgetTokens: 64, enabled: true }, 'gemini-2.5-pro')).toEqual({ thinkingBudget: 128, includeThoughts: true })
    expect(encodeThinkingConfig({ budgetTokens: 100, enabled: true }, 'gemini-2.5-flash-lite')).toEqual({ thinkingBudget: 512, includeThoughts: true })
    expect(encodeThinkingConfig({ enabled: false }, 'gemini-2.5-flash')).toEqual({ thinkingBudget: 0 })
    expect(encodeThinkingConfig({ enabled: false }, 'gemini-2.5-pro')).toEqual({ thinkingBudget: 128 })
    expect(encodeThinkingConfig({ effort: 'none' }, 'gemini-3-flash-preview')).toEqual({ thinkingLevel: 'minimal' })
    expect(encodeThinkingConfig({ effort: 'medium' }, 'gemini-3-pro-preview')).toEqual({ thinkingLevel: 'high', includeThoughts: true })
    expect(encodeThinkingConfig({ effort: 'medium' }, 'gemini-3-flash-preview')).toEqual({ thinkingLevel: 'medium', includeThoughts: true })
    expect(encodeThinkingConfig({ enabled: true, includeThoughts: false }, 'gemini-3-pro-preview')).toEqual({ includeThoughts: false })
    expect(encodeThinkingConfig(undefined, 'gemini-3-pro-preview')).toBeUndefined()
  })

  test('thinkingConfig → reasoning', () => {
    const reasoningOf = (thinkingConfig: unknown) => decode({ contents: [], generationConfig: { thinkingConfig } }).reasoning
    expect(reasoningOf({ thinkingBudget: 0 })).toEqual({ enabled: false })
    expect(reasoningOf({ thinkingBudget: -1, includeThoughts: true })).toEqual({ enabled: true, includeThoughts: true })
    expect(reasoningOf({ thinkingLevel: 'HIGH' })).toEqual({ enabled: true, effort: 'high' })
  })

  test('response formats both ways', () => {
    const formatOf = (generationConfig: unknown) => decode({ contents: [], generationConfig }).responseFormat
    expect(formatOf({ responseMimeType: 'application/json' })).toEqual({ type: 'json' })
    expect(formatOf({ responseMimeType: 'text/plain' })).toEqual({ type: 'text' })
    expect(formatOf({ responseMimeType: 'application/json', responseJsonSchema: { type: 'object', additionalProperties: false } }))
      .toEqual({ type: 'json-schema', schema: { type: 'object', additionalProperties: false } })
    const enumOutput = { contents: [], generationConfig: { responseMimeType: 'text/x.enum', responseSchema: { type: 'STRING', enum: ['a', 'b'] } } }
    expect(formatOf(enumOutput.generationConfig)).toBeUndefined()
    expect(encode(decode(enumOutput), { model: 'm' })).toEqual(enumOutput)
    const jsonSchema = { contents: [], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object', additionalProperties: false } } }
    expect(encode(decode(jsonSchema), { model: 'm' })).toEqual(jsonSchema)
    const fromOpenAI = openaiChat.request.decode({
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_schema', json_schema: { name: 'r', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false, required: ['a'] } } },
    })
    expect((encode(fromOpenAI, { model: 'm' }) as any).generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
    })
  })
})
