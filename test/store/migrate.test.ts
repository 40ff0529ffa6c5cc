import { expect, test } from 'bun:test'
import { openDatabase } from '../../src/store/db'
import { migrate, migrations } from '../../src/store/migrate'

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
