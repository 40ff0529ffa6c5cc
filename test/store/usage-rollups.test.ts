import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkpoint, openDatabase } from '../../src/store/db'
import { migrate } from '../../src/store/migrate'
import { insertUsageEvents, type UsageEvent } from '../../src/store/usage'

const HOUR = 3_600_000

function event(index: number, overrides: Partial<UsageEvent>): UsageEvent {
  return {
    at: 10 * HOUR + index * 1000,
    requestId: Bun.randomUUIDv7(),
    inboundFormat: 'openai-chat',
    requestedModel: 'oa/gpt-4.1',
    model: 'oa/gpt-4.1',
    provider: 'openai',
    connectionId: 1,
    apiKeyId: null,
    status: 200,
    stream: false,
    attempts: 1,
    inputTokens: 10 + index,
    outputTokens: 100 + index,
    latencyMs: 50 + index,
    listCost: 0.001 * index,
    actualCost: 0.001 * index,
    ...overrides,
  }
}

describe('usage_hourly rollups', () => {
  test('a batch folded per hour and key sums exactly what its raw rows sum, across batches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelmux-rollups-'))
    try {
      const db = openDatabase(join(dir, 'db.sqlite'))
      migrate(db)
      const mixed = (offset: number) =>
        Array.from({ length: 60 }, (_, i) =>
          event(offset + i, {
            // Three keys, two hours, errors, estimates, unpriced rows and missing counts all mixed in one batch.
            at: (i % 2 === 0 ? 10 : 11) * HOUR + i,
            model: i % 3 === 0 ? 'oa/gpt-4.1-mini' : 'oa/gpt-4.1',
            apiKeyId: i % 5 === 0 ? 7 : null,
            status: i % 7 === 0 ? 429 : 200,
            estimated: i % 4 === 0,
            listCost: i % 6 === 0 ? undefined : 0.001 * i,
            outputTokens: i % 9 === 0 ? undefined : 100 + i,
          }),
        )
      insertUsageEvents(db, mixed(0))
      insertUsageEvents(db, mixed(100))
      const fromRaw = db
        .query(
          `SELECT (at / ${HOUR}) * ${HOUR} AS hour, COALESCE(provider, '') AS provider, COALESCE(connection_id, 0) AS connection_id,
             COALESCE(model, '') AS model, COALESCE(api_key_id, 0) AS api_key_id, COUNT(*) AS requests,
             SUM(status >= 400) AS errors, SUM(estimated) AS estimated,
             SUM(COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) > 0 AND list_cost IS NULL) AS unpriced,
             SUM(COALESCE(input_tokens, 0)) AS input_tokens, SUM(COALESCE(output_tokens, 0)) AS output_tokens,
             ROUND(SUM(COALESCE(list_cost, 0)), 9) AS list_cost, SUM(latency_ms) AS latency_ms
           FROM usage_events GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
        )
        .all()
      const rolled = db
        .query(
          `SELECT hour, provider, connection_id, model, api_key_id, requests, errors, estimated, unpriced, input_tokens, output_tokens,
             ROUND(list_cost, 9) AS list_cost, latency_ms
           FROM usage_hourly ORDER BY 1, 2, 3, 4, 5`,
        )
        .all()
      expect(fromRaw.length).toBeGreaterThanOrEqual(8)
      expect(rolled).toEqual(fromRaw)
      checkpoint(db)
      db.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
