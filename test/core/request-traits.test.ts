import { describe, expect, test } from 'bun:test'
import { asksForThinking, carriesImages, estimatePromptTokens } from '../../src/core/request-traits'
import { wantsWebSearch } from '../../src/formats/hosted-tools'
import { getFormat } from '../../src/formats'
import type { FormatId } from '../../src/formats/types'

const decode = (format: FormatId, body: unknown) => getFormat(format).request.decode(body)
const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
const user = (content: unknown) => ({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content }] })

describe('request traits', () => {
  test('images: in a message or inside a tool result, in any client format', () => {
    expect(carriesImages(decode('anthropic-messages', user('hi')))).toBe(false)
    expect(carriesImages(decode('anthropic-messages', user([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }])))).toBe(true)
    const screenshotResult = {
      model: 'm',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'look' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'screenshot', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }] }] },
      ],
    }
    expect(carriesImages(decode('anthropic-messages', screenshotResult))).toBe(true)
    expect(carriesImages(decode('openai-chat', { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } }] }] }))).toBe(true)
    expect(carriesImages(decode('gemini', { contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: png } }] }] }))).toBe(true)
  })

  test('thinking: enabled, budgeted or an effort above none; off when disabled or not asked', () => {
    expect(asksForThinking(decode('anthropic-messages', { ...user('hi'), thinking: { type: 'enabled', budget_tokens: 2048 } }))).toBe(true)
    expect(asksForThinking(decode('anthropic-messages', { ...user('hi'), thinking: { type: 'disabled' } }))).toBe(false)
    expect(asksForThinking(decode('anthropic-messages', user('hi')))).toBe(false)
    expect(asksForThinking(decode('openai-chat', { model: 'm', reasoning_effort: 'high', messages: [{ role: 'user', content: 'hi' }] }))).toBe(true)
    expect(asksForThinking(decode('openai-chat', { model: 'm', reasoning_effort: 'none', messages: [{ role: 'user', content: 'hi' }] }))).toBe(false)
    expect(asksForThinking(decode('openai-responses', { model: 'm', input: 'hi', reasoning: { effort: 'medium' } }))).toBe(true)
  })

  test('web search: the hosted search tools of each format; a function that happens to be named web_search is not one', () => {
    expect(wantsWebSearch(decode('anthropic-messages', { ...user('news?'), tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 8 }] }))).toBe(true)
    expect(wantsWebSearch(decode('openai-responses', { model: 'm', input: 'news?', tools: [{ type: 'web_search' }] }))).toBe(true)
    expect(wantsWebSearch(decode('openai-responses', { model: 'm', input: 'news?', tools: [{ type: 'web_search_preview' }] }))).toBe(true)
    expect(wantsWebSearch(decode('gemini', { contents: [{ role: 'user', parts: [{ text: 'news?' }] }], tools: [{ googleSearch: {} }] }))).toBe(true)
    expect(wantsWebSearch(decode('openai-chat', { model: 'm', web_search_options: {}, messages: [{ role: 'user', content: 'news?' }] }))).toBe(true)
    const fn = { name: 'web_search', description: 'search', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }
    expect(wantsWebSearch(decode('anthropic-messages', { ...user('news?'), tools: [fn] }))).toBe(false)
  })

  test('prompt estimate: characters over four, images at a flat rate, tool schemas included', () => {
    expect(estimatePromptTokens(decode('anthropic-messages', user('x'.repeat(40_000))))).toBe(10_000)
    expect(estimatePromptTokens(decode('anthropic-messages', { ...user('x'.repeat(400)), system: 'y'.repeat(400) }))).toBe(200)
    const withImage = user([{ type: 'text', text: 'x'.repeat(40) }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }])
    expect(estimatePromptTokens(decode('anthropic-messages', withImage))).toBe(10 + 1_600)
    const tools = [{ name: 'read', description: 'd'.repeat(396), input_schema: { type: 'object' } }]
    expect(estimatePromptTokens(decode('anthropic-messages', { ...user(''), tools }))).toBe(Math.ceil((4 + 396 + JSON.stringify({ type: 'object' }).length) / 4))
  })
})
