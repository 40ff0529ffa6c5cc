import { describe, expect, test } from 'bun:test'
import { clientCall, recordedJson, recordedStream, startUsageEnv } from './helpers'
import type { FakeReply } from '../helpers/fake-upstream'

type Upstream = 'openai' | 'anthropic' | 'gemini' | 'responses'
type Format = Parameters<typeof clientCall>[0]

const usage = (inputTokens: number, outputTokens: number, cacheReadTokens: number | null, cacheWriteTokens: number | null, reasoningTokens: number | null) => ({
  input_tokens: inputTokens,
  output_tokens: outputTokens,
  cache_read_tokens: cacheReadTokens,
  cache_write_tokens: cacheWriteTokens,
  reasoning_tokens: reasoningTokens,
})

// Prices (per 1M) from the built-in catalogue: gpt-4.1 2/8 (cache read 0.5), claude-sonnet-4-5 3/15 (0.3 / 3.75),
// gemini-2.5-flash 0.3/2.5, gpt-5 1.25/10 (0.125).
const cases: { name: string; client: Format; upstream: Upstream; model: string; stream: boolean; reply: () => FakeReply; expected: ReturnType<typeof usage>; listCost: number }[] = [
  {
    name: 'openai-chat → openai-chat, JSON (passthrough)',
    client: 'openai-chat', upstream: 'openai', model: 'oa/gpt-4.1', stream: false,
    reply: () => recordedJson('openai-chat/openai-text.json'),
    expected: usage(16, 363, 0, null, 0), listCost: (16 * 2 + 363 * 8) / 1e6,
  },
  {
    name: 'openai-chat → openai-chat, stream (passthrough)',
    client: 'openai-chat', upstream: 'openai', model: 'oa/gpt-4.1', stream: true,
    reply: () => recordedStream('openai-chat/openai-text.chunks.txt', 'openai'),
    expected: usage(16, 300, 0, null, 0), listCost: (16 * 2 + 300 * 8) / 1e6,
  },
  {
    name: 'anthropic → anthropic, stream with cache reads and writes (passthrough)',
    client: 'anthropic-messages', upstream: 'anthropic', model: 'an/claude-sonnet-4-5', stream: true,
    reply: () => recordedStream('anthropic/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt', 'named'),
    expected: usage(6 + 6289 + 3337, 198, 6289, 3337, 0), listCost: (6 * 3 + 6289 * 0.3 + 3337 * 3.75 + 198 * 15) / 1e6,
  },
  {
    name: 'openai-chat → anthropic, stream with cache reads and writes (translated)',
    client: 'openai-chat', upstream: 'anthropic', model: 'an/claude-sonnet-4-5', stream: true,
    reply: () => recordedStream('anthropic/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt', 'named'),
    expected: usage(6 + 6289 + 3337, 198, 6289, 3337, null), listCost: (6 * 3 + 6289 * 0.3 + 3337 * 3.75 + 198 * 15) / 1e6,
  },
  {
    name: 'anthropic → anthropic, JSON (passthrough)',
    client: 'anthropic-messages', upstream: 'anthropic', model: 'an/claude-sonnet-4-5', stream: false,
    reply: () => recordedJson('anthropic/anthropic-text.json'),
    expected: usage(12, 29, 0, 0, null), listCost: (12 * 3 + 29 * 15) / 1e6,
  },
  {
    name: 'openai-chat → anthropic, JSON (translated)',
    client: 'openai-chat', upstream: 'anthropic', model: 'an/claude-sonnet-4-5', stream: false,
    reply: () => recordedJson('anthropic/anthropic-text.json'),
    expected: usage(12, 29, 0, 0, null), listCost: (12 * 3 + 29 * 15) / 1e6,
  },
  {
    name: 'anthropic → openai-chat, stream (translated)',
    client: 'anthropic-messages', upstream: 'openai', model: 'oa/gpt-4.1', stream: true,
    reply: () => recordedStream('openai-chat/openai-text.chunks.txt', 'openai'),
    expected: usage(16, 300, 0, null, 0), listCost: (16 * 2 + 300 * 8) / 1e6,
  },
  {
    name: 'openai-responses → gemini, stream with thoughts (translated)',
    client: 'openai-responses', upstream: 'gemini', model: 'ge/gemini-2.5-flash', stream: true,
    reply: () => recordedStream('gemini/google-text.chunks.txt', 'data'),
    expected: usage(9, 23 + 185, null, null, 185), listCost: (9 * 0.3 + 208 * 2.5) / 1e6,
  },
  {
    name: 'gemini → gemini, JSON with thoughts (passthrough)',
    client: 'gemini', upstream: 'gemini', model: 'ge/gemini-2.5-flash', stream: false,
    reply: () => recordedJson('gemini/google-text.json'),
    expected: usage(9, 28 + 244, null, null, 244), listCost: (9 * 0.3 + 272 * 2.5) / 1e6,
  },
  {
    name: 'openai-responses → openai-responses, stream with cache and reasoning (passthrough)',
    client: 'openai-responses', upstream: 'responses', model: 'rs/gpt-5', stream: true,
    reply: () => recordedStream('openai-responses/openai-phase.1.chunks.txt', 'named'),
    expected: usage(7112, 463, 3072, null, 64), listCost: ((7112 - 3072) * 1.25 + 3072 * 0.125 + 463 * 10) / 1e6,
  },
  {
    name: 'gemini → openai-responses, JSON with cache and reasoning (translated)',
    client: 'gemini', upstream: 'responses', model: 'rs/gpt-5', stream: false,
    reply: () => recordedJson('openai-responses/openai-shell-skills.1.json'),
    expected: usage(1499, 331, 1024, null, 100), listCost: ((1499 - 1024) * 1.25 + 1024 * 0.125 + 331 * 10) / 1e6,
  },
]

describe('exact accounting from the upstream numbers, once per request', () => {
  for (const c of cases) {
    test(c.name, async () => {
      await using env = await startUsageEnv()
      env.upstreams[c.upstream].reply(c.reply())
      const response = await env.call(c.client, c.model, c.stream)
      expect(response.status).toBe(200)
      await response.text()
      const rows = (await env.rows('usage_events'))
      expect(rows).toHaveLength(1)
      const row = rows[0]
      const counted = { input_tokens: row.input_tokens, output_tokens: row.output_tokens, cache_read_tokens: row.cache_read_tokens, cache_write_tokens: row.cache_write_tokens, reasoning_tokens: row.reasoning_tokens }
      // Absent counts may be null or 0 depending on what the wire carried; compare the numbers that matter.
      const normalise = (value: Record<string, number | null>) => Object.fromEntries(Object.entries(value).map(([key, count]) => [key, count ?? 0]))
      expect(normalise(counted)).toEqual(normalise(c.expected))
      expect(row).toMatchObject({ model: c.model, status: 200, stream: c.stream ? 1 : 0, attempts: 1, estimated: 0, combo: null, inbound_format: c.client })
      expect(row.list_cost).toBeCloseTo(c.listCost, 12)
      expect(row.actual_cost).toBeCloseTo(c.listCost, 12)
      expect(row.latency_ms).toBeGreaterThanOrEqual(row.ttfb_ms)
      const hourly = (await env.rows('usage_hourly'))
      expect(hourly).toHaveLength(1)
      expect(hourly[0]).toMatchObject({ requests: 1, errors: 0, input_tokens: c.expected.input_tokens, output_tokens: c.expected.output_tokens, model: c.model })
    })
  }
})

describe('who is billed', () => {
  test('fallback: the connection and model that answered carry the usage; the failed try is an attempt only', async () => {
    await using env = await startUsageEnv()
    env.upstreams.anthropic.reply({ status: 429, headers: { 'content-type': 'application/json', 'retry-after': '60' }, parts: ['{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}'] })
    env.upstreams.backup.reply(recordedJson('openai-chat/openai-text.json'))
    const response = await env.call('openai-chat', 'my-stack', false)
    expect(response.status).toBe(200)
    expect(response.headers.get('x-modelmux-model')).toBe('bk/gpt-4.1')
    const [row, ...others] = (await env.rows('usage_events'))
    expect(others).toHaveLength(0)
    const backupId = env.context.registry.connections.find((entry) => entry.connection.name === 'backup-conn')!.connection.id
    const anthropicId = env.context.registry.connections.find((entry) => entry.connection.name === 'an-conn')!.connection.id
    expect(row).toMatchObject({ requested_model: 'my-stack', combo: 'stack', model: 'bk/gpt-4.1', connection_id: backupId, provider: 'openai-compatible', attempts: 2, input_tokens: 16, output_tokens: 363 })
    const attempts = (await env.rows('attempts')).map((a) => [a.request_id === row.request_id, a.connection_id, a.status, a.failure_class])
    expect(attempts).toEqual([
      [true, anthropicId, 429, 'rate-limit'],
      [true, backupId, 200, null],
    ])
    expect((await env.rows('usage_hourly')).map((h) => [h.connection_id, h.requests, h.input_tokens])).toEqual([[backupId, 1, 16]])
  })

  test('a subscription connection costs nothing but shows what it would have cost', async () => {
    await using env = await startUsageEnv({ tiers: { 'an-conn': 'subscription' } })
    env.upstreams.anthropic.reply(recordedJson('anthropic/anthropic-text.json'))
    await (await env.call('anthropic-messages', 'an/claude-sonnet-4-5', false)).text()
    const [row] = (await env.rows('usage_events'))
    expect(row.list_cost).toBeCloseTo((12 * 3 + 29 * 15) / 1e6, 12)
    expect(row.actual_cost).toBe(0)
  })

  test('a request that fails everywhere is recorded once, with no tokens and no cost', async () => {
    await using env = await startUsageEnv()
    env.upstreams.openai.reply({ status: 400, parts: ['{"error":{"message":"bad request","type":"invalid_request_error"}}'] })
    const response = await env.call('openai-chat', 'oa/gpt-4.1', false)
    expect(response.status).toBe(400)
    const rows = (await env.rows('usage_events'))
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ status: 400, input_tokens: null, output_tokens: null, list_cost: null, actual_cost: null, estimated: 0 })
    expect((await env.rows('usage_hourly'))[0]).toMatchObject({ requests: 1, errors: 1, input_tokens: 0 })
  })
})
