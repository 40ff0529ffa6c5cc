import { expect, test } from 'bun:test'
import { openDatabase } from '../../src/store/db'
import { migrate, migrations } from '../../src/store/migrate'
import { sumRawUsage } from '../../src/store/usage-queries'

test('migrations apply once, in order, keyed on user_version', () => {
  const db = openDatabase(':memory:')
  expect(migrate(db)).toBe(migrations.length)
  expect(migrate(db)).toBe(migrations.length)
  const tables = (db.query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as { name: string }[]).map((t) => t.name)
  expect(tables).toEqual(expect.arrayContaining(['aliases', 'api_keys', 'combos', 'connections', 'settings', 'usage_events']))
})

test('a failing migration leaves the database as it was', () => {
  const db = openDatabase(':memory:')
  migrate(db)
  const broken = [...migrations, 'CREATE TABLE extra (id INTEGER); THIS IS NOT SQL;']
  expect(() => migrate(db, broken)).toThrow()
  expect((db.query('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(migrations.length)
  expect(db.query("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeNull()
})

test('a database from a newer modelmux is refused, not damaged', () => {
  const db = openDatabase(':memory:')
  db.exec(`PRAGMA user_version = ${migrations.length + 5}`)
  expect(() => migrate(db)).toThrow(/newer than this modelmux/)
})

test('the per-key usage index holds only keyed rows, survives the upgrade with its data, and still serves per-key windows', () => {
  const db = openDatabase(':memory:')
  migrate(db, migrations.slice(0, 3))
  const insert = db.query('INSERT INTO usage_events (at, request_id, inbound_format, status, api_key_id, input_tokens) VALUES (?, ?, ?, 200, ?, ?)')
  insert.run(1_000, 'r1', 'openai-chat', 7, 10)
  insert.run(2_000, 'r2', 'openai-chat', null, 20)
  migrate(db)
  insert.run(3_000, 'r3', 'openai-chat', 7, 30)
  insert.run(4_000, 'r4', 'openai-chat', null, 40)
  const indexed = db.query('SELECT COUNT(*) AS n FROM usage_events INDEXED BY usage_events_key_at WHERE api_key_id IS NOT NULL').get() as { n: number }
  expect(indexed.n).toBe(2)
  expect(sumRawUsage(db, 0, 10_000, { apiKeyId: 7 }).inputTokens).toBe(40)
  expect(sumRawUsage(db, 0, 10_000, { apiKeyId: 0 }).inputTokens).toBe(60)
  const plan = db.query('EXPLAIN QUERY PLAN SELECT MIN(at) FROM usage_events WHERE at >= ? AND at < ? AND api_key_id = ?').all(0, 1, 7) as { detail: string }[]
  expect(plan.map((row) => row.detail).join(' ')).toContain('usage_events_key_at')
})

test('the upgrade to daily rollups sums the hours already rolled up into UTC days', () => {
  const db = openDatabase(':memory:')
  migrate(db, migrations.slice(0, 5))
  const hour = 3_600_000
  const insert = db.query('INSERT INTO usage_hourly (hour, provider, connection_id, model, requests, errors, input_tokens, list_cost) VALUES (?, ?, 1, ?, ?, ?, ?, ?)')
  insert.run(23 * hour, 'glm', 'glm-5', 3, 1, 30, 0.5)
  insert.run(24 * hour, 'glm', 'glm-5', 4, 0, 40, 0.25)
  insert.run(47 * hour, 'glm', 'glm-5', 5, 2, 50, 0.125)
  insert.run(47 * hour, 'kimi', 'k2', 6, 0, 60, 0)
  migrate(db)
  expect(db.query('SELECT day, provider, requests, errors, input_tokens, list_cost FROM usage_daily ORDER BY day, provider').all()).toEqual([
    { day: 0, provider: 'glm', requests: 3, errors: 1, input_tokens: 30, list_cost: 0.5 },
    { day: 24 * hour, provider: 'glm', requests: 9, errors: 2, input_tokens: 90, list_cost: 0.375 },
    { day: 24 * hour, provider: 'kimi', requests: 6, errors: 0, input_tokens: 60, list_cost: 0 },
  ])
})

test('the upgrade to the model-hour index notes the requested and served names of the stored requests', () => {
  const db = openDatabase(':memory:')
  migrate(db, migrations.slice(0, 6))
  const hour = 3_600_000
  const insert = db.query('INSERT INTO usage_events (at, request_id, inbound_format, status, requested_model, model) VALUES (?, ?, ?, 200, ?, ?)')
  insert.run(5 * hour + 10, 'r1', 'openai-chat', 'fast', 'oa/gpt-4.1')
  insert.run(5 * hour + 20, 'r2', 'openai-chat', 'oa/gpt-4.1', 'oa/gpt-4.1')
  insert.run(7 * hour, 'r3', 'openai-chat', 'nope/model', null)
  migrate(db)
  expect(db.query('SELECT model, hour FROM usage_model_hours ORDER BY hour, model').all()).toEqual([
    { model: 'fast', hour: 5 * hour },
    { model: 'oa/gpt-4.1', hour: 5 * hour },
    { model: 'nope/model', hour: 7 * hour },
  ])
})
