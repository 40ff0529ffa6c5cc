import { describe, expect, test } from 'bun:test'
import { classifyHttpFailure, parseDuration, parseRetryAfter } from '../../src/core/classify-failure'
import { readBody } from '../helpers/recorded'

const now = 1_700_000_000_000
const h = (entries: Record<string, string> = {}) => new Headers(entries)

describe('classifyHttpFailure', () => {
  test.each([
    [400, '{"error":{"message":"messages: field required"}}', 'client'],
    [404, '{"error":{"message":"model not found"}}', 'client'],
    [422, '{"detail":"bad"}', 'client'],
    [400, '{"error":{"message":"This model\'s maximum context length is 128000 tokens"}}', 'context-length'],
    [400, '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}', 'context-length'],
    [400, '{"error":{"code":"content_filter","message":"The response was filtered due to the prompt triggering Azure OpenAI\'s content management policy"}}', 'content-filter'],
    [401, '{"error":{"message":"invalid x-api-key"}}', 'auth'],
    [403, '{"error":{"message":"forbidden"}}', 'auth'],
    // A CDN's bot check in front of the API says nothing about the credential.
    [403, '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>', 'transient'],
    [400, '{"error":{"message":"Invalid max_tokens value, the valid range of max_tokens is [1, 8192]"}}', 'client'],
    [400, '{"type":"error","error":{"type":"invalid_request_error","message":"`temperature` and `top_p` cannot both be specified for this model."}}', 'client'],
    [429, '{"error":{"message":"slow down"}}', 'rate-limit'],
    [400, '{"error":{"type":"usage_limit_reached","resets_in_seconds":60}}', 'rate-limit'],
    [500, 'oops', 'transient'],
    [503, '{"error":{"message":"overloaded"}}', 'transient'],
    [529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', 'transient'],
  ])('%d %s → %s', (status, text, expected) => {
    expect(classifyHttpFailure(status, h(), text, now).class).toBe(expected as never)
  })

  test('Retry-After seconds and dates set the reset time', () => {
    expect(classifyHttpFailure(429, h({ 'retry-after': '30' }), '', now).resetAt).toBe(now + 30_000)
    const date = new Date(now + 90_000).toUTCString()
    expect(classifyHttpFailure(429, h({ 'retry-after': date }), '', now).resetAt).toBe(Math.floor((now + 90_000) / 1000) * 1000)
  })

  test('Gemini RetryInfo in the recorded 429 body, per model', () => {
    const classified = classifyHttpFailure(429, h(), readBody('gemini/google-429-retry-info.json'), now)
    expect(classified).toMatchObject({ class: 'rate-limit', resetAt: now + 34_400, perModel: true })
  })

  test('Codex usage_limit_reached resets and Anthropic reset headers', () => {
    expect(classifyHttpFailure(429, h(), '{"error":{"type":"usage_limit_reached","resets_at":1700000600}}', now).resetAt).toBe(1_700_000_600_000)
    const reset = new Date(now + 45_000).toISOString()
    expect(classifyHttpFailure(429, h({ 'anthropic-ratelimit-requests-reset': reset }), '', now).resetAt).toBe(now + 45_000)
    expect(classifyHttpFailure(429, h(), '{"error":{"message":"Rate limit reached. Please try again in 20s."}}', now).resetAt).toBe(now + 20_000)
  })

  test('no reset information leaves resetAt unset (backoff decides)', () => {
    expect(classifyHttpFailure(429, h(), '{}', now).resetAt).toBeUndefined()
  })
})

test('durations and Retry-After parse strictly', () => {
  expect(parseDuration('34.4s')).toBe(34_400)
  expect(parseDuration('2h7m23s')).toBe((2 * 3600 + 7 * 60 + 23) * 1000)
  expect(parseDuration('1m30s')).toBe(90_000)
  expect(parseDuration('250ms')).toBe(250)
  expect(parseDuration('soon')).toBeUndefined()
  expect(parseRetryAfter('nonsense', now)).toBeUndefined()
  expect(parseRetryAfter(null, now)).toBeUndefined()
})
