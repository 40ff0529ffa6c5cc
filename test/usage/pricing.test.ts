import { expect, test } from 'bun:test'
import { getProvider } from '../../src/providers'
import { countRequestTokens } from '../../src/services/count-tokens'
import type { Registry } from '../../src/services/registry'
import { listModelIds } from '../../src/services/resolve-model'
import { costOf, findPrice, invalidatePricing, priceRequest, pricingSnapshot, type PriceSnapshot } from '../../src/services/pricing'
import { createUsageRecorder } from '../../src/services/usage-recorder'
import { openDatabase } from '../../src/store/db'
import { migrate } from '../../src/store/migrate'
import { upsertPriceOverride } from '../../src/store/pricing'
import type { UsageEvent } from '../../src/store/usage'

const snapshot = (overrides: [string, string, { input: number; output: number; cacheRead?: number; cacheWrite?: number }][] = [], tiers: [number, 'paid' | 'free' | 'subscription'][] = []): PriceSnapshot => ({
  overrides: new Map(overrides.map(([provider, model, price]) => [`${provider}\u0000${model}`, price])),
  tiers: new Map(tiers),
  loadedAt: 0,
})

test('cache tokens are part of input: priced at their own rates, never twice; reasoning is not charged again', () => {
  const price = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }
  expect(costOf(price, { inputTokens: 1_000_000, outputTokens: 0 })).toBe(3)
  expect(costOf(price, { inputTokens: 1_000_000, cacheReadTokens: 600_000, cacheWriteTokens: 400_000, outputTokens: 1_000_000, reasoningTokens: 500_000 })).toBe(0.18 + 1.5 + 15)
  // without cache rates, cache tokens cost the input rate
  expect(costOf({ input: 2, output: 8 }, { inputTokens: 1000, cacheReadTokens: 500, outputTokens: 10 })).toBe((1000 * 2 + 10 * 8) / 1e6)
  // inconsistent counts (cache larger than input) never go negative
  expect(costOf(price, { inputTokens: 10, cacheReadTokens: 50 })).toBe((10 * 0.3) / 1e6)
})

test('a request past a long-context line is charged the long-context rates throughout; one at the line is not', () => {
  const sol = findPrice(snapshot(), 'openai', 'openai/gpt-6.2-sol')!.pricing
  expect(costOf(sol, { inputTokens: 272_000, cacheReadTokens: 100_000, outputTokens: 10_000 })).toBe((172_000 * 2 + 100_000 * 0.1 + 10_000 * 10) / 1e6)
  expect(costOf(sol, { inputTokens: 272_001, cacheReadTokens: 100_000, outputTokens: 10_000 })).toBe((172_001 * 4 + 100_000 * 0.2 + 10_000 * 15) / 1e6)
  const pro = findPrice(snapshot(), 'gemini', 'gemini/gemini-2.5-pro')!.pricing
  expect(costOf(pro, { inputTokens: 300_000, outputTokens: 1_000 })).toBe((300_000 * 2.5 + 1_000 * 15) / 1e6)
  expect(costOf(pro, { inputTokens: 100_000, outputTokens: 1_000 })).toBe((100_000 * 1.25 + 1_000 * 10) / 1e6)
  // A Codex subscription's answer is worth the same model's OpenAI list price.
  expect(findPrice(snapshot(), 'codex', 'cx/gpt-6-sol')).toMatchObject({ source: 'catalogue', pricing: { input: 2, output: 10 } })
})

test('price lookup: override, provider list, the catalogue for custom nodes, vendor prefixes and dates removed', () => {
  const prices = snapshot([['openai', 'gpt-4.1', { input: 1, output: 1 }], ['openrouter', '*', { input: 9, output: 9 }], ['*', 'my-local', { input: 0.1, output: 0.2 }]])
  expect(findPrice(prices, 'openai', 'openai/gpt-4.1')).toEqual({ pricing: { input: 1, output: 1 }, source: 'override' })
  expect(findPrice(prices, 'openai', 'openai/gpt-4o')).toMatchObject({ source: 'provider', pricing: { input: 2.5, output: 10 } })
  expect(findPrice(prices, 'openrouter', 'openrouter/anything')).toMatchObject({ source: 'override', pricing: { input: 9 } })
  expect(findPrice(prices, 'openai-compatible', 'vllm/my-local')).toMatchObject({ source: 'override', pricing: { input: 0.1 } })
  expect(findPrice(snapshot(), 'openai-compatible', 'proxy/anthropic/claude-sonnet-4-5-20250929')).toMatchObject({ source: 'catalogue', pricing: { input: 3, output: 15 } })
  expect(findPrice(snapshot(), 'openai-compatible', 'vllm/qwen3-coder-local')).toBeUndefined()
})

test('embedding models are priced by their input tokens, on their provider and on custom nodes, but never listed as chat models', () => {
  expect(findPrice(snapshot(), 'openai', 'openai/text-embedding-3-small')).toEqual({ source: 'provider', pricing: { input: 0.02, output: 0 } })
  expect(findPrice(snapshot(), 'gemini', 'gemini/gemini-embedding-001')).toMatchObject({ source: 'provider', pricing: { input: 0.15 } })
  expect(findPrice(snapshot(), 'openai-compatible', 'proxy/mistral/mistral-embed')).toMatchObject({ source: 'catalogue', pricing: { input: 0.1 } })
  expect(priceRequest(snapshot(), { provider: 'openai', model: 'openai/text-embedding-3-large', connectionId: 1, inputTokens: 2_000_000 })).toEqual({ listCost: 0.26, actualCost: 0.26 })
  const registry = { connections: [{ connection: { enabled: true, prefix: null, models: [] }, provider: getProvider('openai')! }], combos: new Map(), aliases: new Map() }
  const listed = listModelIds(registry as unknown as Registry).map((model) => model.id)
  expect(listed).toContain('openai/gpt-4.1')
  expect(listed.filter((id) => id.includes('embedding'))).toEqual([])
})

test('actual cost is zero on subscription and free tiers, list price otherwise; unknown prices stay unknown', () => {
  const usage = { inputTokens: 1000, outputTokens: 1000 }
  const prices = snapshot([], [[1, 'subscription'], [2, 'free']])
  const request = (connectionId: number, model = 'anthropic/claude-sonnet-4-5') => ({ provider: 'anthropic', model, connectionId, ...usage })
  expect(priceRequest(prices, request(1))).toEqual({ listCost: 0.018, actualCost: 0 })
  expect(priceRequest(prices, request(2))).toEqual({ listCost: 0.018, actualCost: 0 })
  expect(priceRequest(prices, request(3))).toEqual({ listCost: 0.018, actualCost: 0.018 })
  expect(priceRequest(prices, request(1, 'anthropic/unknown-model'))).toEqual({ actualCost: 0 })
  expect(priceRequest(prices, request(3, 'anthropic/unknown-model'))).toEqual({})
  expect(priceRequest(prices, { provider: 'anthropic', model: 'anthropic/claude-sonnet-4-5', connectionId: 3 })).toEqual({})
})

test('overrides stored in SQLite reach the snapshot after invalidation', () => {
  const db = openDatabase(':memory:')
  migrate(db)
  expect(findPrice(pricingSnapshot(db, 0), 'openai', 'oai/gpt-4.1')?.source).toBe('provider')
  upsertPriceOverride(db, { provider: 'openai', model: 'gpt-4.1', input: 0.5, output: 0.5 }, 1)
  expect(findPrice(pricingSnapshot(db, 1), 'openai', 'oai/gpt-4.1')?.source).toBe('provider') // cached for a few seconds
  invalidatePricing(db)
  expect(findPrice(pricingSnapshot(db, 2), 'openai', 'oai/gpt-4.1')).toEqual({ pricing: { input: 0.5, output: 0.5, cacheRead: undefined, cacheWrite: undefined }, source: 'override' })
})

test('the recorder estimates the prompt with the tokenizer only when the upstream reported nothing, and marks it', async () => {
  const db = openDatabase(':memory:')
  migrate(db)
  const recorder = createUsageRecorder(db, { intervalMs: 3_600_000 })
  const ir = { model: 'x', stream: false, system: [{ type: 'text' as const, text: 'You are terse.' }], messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'How many tokens is this sentence?' }] }], extensions: {} }
  const base: UsageEvent = { at: 1, requestId: 'r', inboundFormat: 'openai-chat', requestedModel: 'oa/gpt-4.1', model: 'oa/gpt-4.1', provider: 'openai-compatible', connectionId: null, apiKeyId: null, status: 200, stream: true, attempts: 1, latencyMs: 5 }
  let calls = 0
  const estimate = () => (calls++, countRequestTokens(ir as never))
  recorder.record({ ...base, requestId: 'none' }, estimate)
  recorder.record({ ...base, requestId: 'reported', inputTokens: 7, outputTokens: 3 }, estimate)
  recorder.record({ ...base, requestId: 'failed', status: 502 }, estimate)
  await recorder.settled()
  await recorder.flush()
  const rows = db.query('SELECT request_id, input_tokens, output_tokens, estimated, list_cost FROM usage_events ORDER BY request_id').all() as Record<string, unknown>[]
  const expected = await countRequestTokens(ir as never)
  expect(expected).toBeGreaterThan(10)
  expect(rows).toEqual([
    { request_id: 'failed', input_tokens: null, output_tokens: null, estimated: 0, list_cost: null },
    { request_id: 'none', input_tokens: expected, output_tokens: null, estimated: 1, list_cost: (expected * 2) / 1e6 },
    { request_id: 'reported', input_tokens: 7, output_tokens: 3, estimated: 0, list_cost: (7 * 2 + 3 * 8) / 1e6 },
  ])
  expect(calls).toBe(1)
  expect(recorder.metrics.render()).toContain('modelmux_estimated_requests_total{provider="openai-compatible",connection="",model="oa/gpt-4.1"} 1')
  recorder.close()
})
