import { describe, expect, test } from 'bun:test'
import { ProxyError } from '../../src/core/errors'
import { getProvider } from '../../src/providers'
import { applyParamRules, prepareUpstream, providerTarget } from '../../src/providers/prepare-upstream'
import { defineProvider, type UpstreamConnection } from '../../src/providers/types'

const provider = (id: string) => getProvider(id)!
const connection = (fields: Partial<UpstreamConnection> = {}): UpstreamConnection => ({ name: 'c1', baseUrl: null, apiKey: 'sk-secret', ...fields })
const call = (model: string, body: Record<string, unknown> = { model }, stream = false) => ({ model, stream, body, env: {} })

describe('providerTarget', () => {
  test('OpenAI reasoning models take max_completion_tokens; others keep the default', () => {
    expect(providerTarget(provider('openai'), 'gpt-5.1')).toEqual({ model: 'gpt-5.1', maxTokensField: 'max_completion_tokens' })
    expect(providerTarget(provider('openai'), 'o3-mini').maxTokensField).toBe('max_completion_tokens')
    expect(providerTarget(provider('openai'), 'gpt-4.1')).toEqual({ model: 'gpt-4.1' })
    expect(providerTarget(provider('openai'), 'gpt-5-chat-latest')).toEqual({ model: 'gpt-5-chat-latest' })
    expect(providerTarget(provider('azure'), 'o4-mini').maxTokensField).toBe('max_completion_tokens')
  })

  test('quirks become encoder facts', () => {
    expect(providerTarget(provider('mistral'), 'codestral-latest')).toEqual({ model: 'codestral-latest', maxTokensField: 'max_tokens', includeStreamUsage: false, prefillMember: 'prefix' })
    expect(providerTarget(provider('deepseek'), 'deepseek-chat')).toEqual({ model: 'deepseek-chat', reasoningField: 'reasoning_content', prefillMember: 'prefix' })
    expect(providerTarget(provider('moonshot'), 'kimi-k2-thinking')).toMatchObject({ reasoningField: 'reasoning_content', prefillMember: 'partial' })
    expect(providerTarget(provider('groq'), 'a-model-released-today')).toEqual({ model: 'a-model-released-today' })
  })
})

describe('applyParamRules', () => {
  test('renames keep an existing target and never mutate the input', () => {
    const body = { max_tokens: 5, max_completion_tokens: 9, temperature: 0.2 }
    expect(applyParamRules(body, [{ renameParams: { max_tokens: 'max_completion_tokens' }, dropParams: ['temperature'] }])).toEqual({ max_completion_tokens: 9 })
    expect(body).toEqual({ max_tokens: 5, max_completion_tokens: 9, temperature: 0.2 })
  })
})

describe('prepareUpstream', () => {
  test('OpenAI gpt-5: renamed max tokens, dropped sampling knobs, Bearer secret', () => {
    const prepared = prepareUpstream(provider('openai'), connection(), call('gpt-5.1', { model: 'gpt-5.1', max_tokens: 100, temperature: 0.3, top_p: 0.9, messages: [] }))
    expect(prepared).toEqual({
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'modelmux', authorization: 'Bearer sk-secret' },
      body: { model: 'gpt-5.1', max_completion_tokens: 100, messages: [] },
      proxy: null,
    })
  })

  test('model names not in the built-in list pass through unchanged', () => {
    const prepared = prepareUpstream(provider('groq'), connection(), call('brand-new/model-2099', { model: 'brand-new/model-2099', temperature: 1 }))
    expect(prepared.body).toEqual({ model: 'brand-new/model-2099', temperature: 1 })
  })

  test('stream_options is dropped from non-streaming OpenAI calls only', () => {
    const body = { model: 'm', stream_options: { include_usage: true } }
    expect(prepareUpstream(provider('openai'), connection(), call('m', body)).body).toEqual({ model: 'm' })
    expect(prepareUpstream(provider('openai'), connection(), { ...call('m', body), stream: true }).body).toEqual(body)
  })

  test('Azure: deployment defaults to the model, api-version to a default; options override both', () => {
    const azure = provider('azure')
    const base = 'https://res.openai.azure.com'
    expect(prepareUpstream(azure, connection({ baseUrl: base }), call('gpt-4.1')).url).toBe(`${base}/openai/deployments/gpt-4.1/chat/completions?api-version=2025-04-01-preview`)
    const custom = prepareUpstream(azure, connection({ baseUrl: `${base}/`, options: { deployment: 'prod gpt', apiVersion: '2024-10-21' } }), call('gpt-4.1'))
    expect(custom.url).toBe(`${base}/openai/deployments/prod%20gpt/chat/completions?api-version=2024-10-21`)
    expect(custom.headers['api-key']).toBe('sk-secret')
    expect(custom.headers.authorization).toBeUndefined()
  })

  test('a pasted endpoint URL is trimmed back to the API base', () => {
    const url = (baseUrl: string, id: string) => prepareUpstream(provider(id), connection({ baseUrl }), call('m')).url
    expect(url('http://127.0.0.1:8000/v1/chat/completions', 'openai-compatible')).toBe('http://127.0.0.1:8000/v1/chat/completions')
    expect(url('https://proxy.test/v1/messages/', 'anthropic-compatible')).toBe('https://proxy.test/v1/messages')
    expect(url('https://proxy.test/v1/', 'anthropic-compatible')).toBe('https://proxy.test/v1/messages')
  })

  test('Azure without a base URL is a readable configuration error', () => {
    expect(() => prepareUpstream(provider('azure'), connection(), call('gpt-4.1'))).toThrow('connection "c1" has no base URL (Azure OpenAI needs one)')
  })

  test('Vertex: needs a resolved token; never sends the key itself; project option is required without one in the key', () => {
    const vertex = provider('vertex')
    expect(() => prepareUpstream(vertex, connection({ apiKey: '{"client_email":"a","private_key":"PRIVATE"}' }), call('gemini-2.5-pro'))).toThrow(ProxyError)
    expect(() => prepareUpstream(vertex, connection({ apiKey: '{"client_email":"a","private_key":"k"}' }), { ...call('gemini-2.5-pro'), credential: 'tok' })).toThrow(
      'c1: Vertex AI (Gemini) needs options.project on the connection',
    )
    const prepared = prepareUpstream(vertex, connection({ apiKey: '{"client_email":"a","private_key":"k","project_id":"p-1"}' }), { ...call('gemini-2.5-pro', {}, true), credential: 'tok' })
    expect(prepared.url).toBe('https://aiplatform.googleapis.com/v1/projects/p-1/locations/global/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse')
    expect(prepared.headers.authorization).toBe('Bearer tok')
  })

  test('Gemini AI Studio: key in x-goog-api-key, model path-encoded, no Bearer', () => {
    const prepared = prepareUpstream(provider('gemini'), connection(), call('gemini-2.5-flash', {}, true))
    expect(prepared.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
    expect(prepared.headers['x-goog-api-key']).toBe('sk-secret')
    expect(prepared.headers.accept).toBe('text/event-stream')
  })

  test('query-placed keys join an existing query string', () => {
    const keyed = defineProvider({ id: 'q', name: 'Q', aliases: [], format: 'gemini', baseUrl: 'https://q.test/v1', auth: { kind: 'query', name: 'key' } })
    expect(prepareUpstream(keyed, connection({ apiKey: 'a&b' }), call('m', {}, true)).url).toBe('https://q.test/v1/models/m:streamGenerateContent?alt=sse&key=a%26b')
  })

  test('only API version and beta headers of the client are forwarded, never its key', () => {
    const clientHeaders = new Headers({ authorization: 'Bearer sk-mm-client', 'x-api-key': 'sk-mm-client', 'anthropic-beta': 'b1', 'anthropic-version': '2099-01-01', cookie: 'auth_token=x' })
    const prepared = prepareUpstream(provider('glm'), connection(), { ...call('glm-4.7'), clientHeaders })
    expect(prepared.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'modelmux',
      'anthropic-version': '2099-01-01',
      'anthropic-beta': 'b1',
      'x-api-key': 'sk-secret',
    })
  })

  test('no-auth providers send no credential even when the connection has one; anonymous tokens fill a missing key', () => {
    expect(prepareUpstream(provider('ollama'), connection(), call('llama3')).headers.authorization).toBeUndefined()
    expect(prepareUpstream(provider('ollama'), connection(), call('llama3')).url).toBe('http://127.0.0.1:11434/api/chat')
    expect(prepareUpstream(provider('opencode'), connection({ apiKey: null }), call('grok-code')).headers.authorization).toBe('Bearer public')
    expect(prepareUpstream(provider('opencode'), connection(), call('grok-code')).headers.authorization).toBe('Bearer sk-secret')
  })

  test('the proxy follows the environment and the connection', () => {
    const env = { HTTPS_PROXY: 'http://corp-proxy:3128' }
    expect(prepareUpstream(provider('groq'), connection(), { ...call('m'), env }).proxy).toBe('http://corp-proxy:3128')
    expect(prepareUpstream(provider('groq'), connection({ options: { proxy: 'direct' } }), { ...call('m'), env }).proxy).toBeNull()
    expect(prepareUpstream(provider('ollama'), connection(), { ...call('m'), env: { ALL_PROXY: 'http://p:1' } }).proxy).toBeNull()
  })

  test('DeepSeek: a call that goes on from a final assistant message goes to its beta API; a connection with its own base keeps it', () => {
    const messages = (last: Record<string, unknown>) => ({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }, last] })
    const prefilled = messages({ role: 'assistant', content: 'Hello', prefix: true })
    expect(prepareUpstream(provider('deepseek'), connection(), call('deepseek-chat', prefilled)).url).toBe('https://api.deepseek.com/beta/chat/completions')
    expect(prepareUpstream(provider('deepseek'), connection({ baseUrl: 'https://api.deepseek.com/v1' }), call('deepseek-chat', prefilled)).url).toBe('https://api.deepseek.com/beta/chat/completions')
    expect(prepareUpstream(provider('deepseek'), connection(), call('deepseek-chat', messages({ role: 'user', content: 'More' }))).url).toBe('https://api.deepseek.com/v1/chat/completions')
    expect(prepareUpstream(provider('deepseek'), connection({ baseUrl: 'https://proxy.example/v1' }), call('deepseek-chat', prefilled)).url).toBe('https://proxy.example/v1/chat/completions')
    // Other providers that take a prefill serve it where they serve everything.
    expect(prepareUpstream(provider('mistral'), connection(), call('mistral-small-latest', messages({ role: 'assistant', content: 'Hello', prefix: true }))).url).toBe('https://api.mistral.ai/v1/chat/completions')
  })
})
