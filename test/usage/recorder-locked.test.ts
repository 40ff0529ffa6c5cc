import { expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createUsageRecorder, type UsageRecorder } from '../../src/services/usage-recorder'
import { openDatabase } from '../../src/store/db'
import { migrate } from '../../src/store/migrate'
import type { UsageEvent } from '../../src/store/usage'

const row = (requestId: string): UsageEvent => ({
  at: Date.now(), requestId, inboundFormat: 'openai-chat', requestedModel: 'oa/m', model: 'oa/m', provider: 'openai-compatible',
  connectionId: null, apiKeyId: null, status: 200, stream: false, attempts: 1, inputTokens: 3, outputTokens: 4, latencyMs: 5,
})

/** Runs `body` with a recorder on a fresh database file, the errors it logs captured; removes the file after. */
async function withRecorder(
  intervalMs: number,
  body: (env: { path: string; db: Database; recorder: UsageRecorder; errors: string[] }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'modelmux-recorder-'))
  const errors: string[] = []
  const originalError = console.error
  console.error = (...args: unknown[]) => void errors.push(args.join(' '))
  try {
    const path = join(dir, 'db.sqlite')
    const db = openDatabase(path)
    migrate(db)
    const recorder = createUsageRecorder(db, { intervalMs })
    await body({ path, db, recorder, errors })
    await recorder.close()
    db.close()
  } finally {
    console.error = originalError
    rmSync(dir, { recursive: true, force: true })
  }
}

test('a store locked by another process delays no request and loses no row: the batch waits for the next flush', () =>
  withRecorder(3_600_000, async ({ path, db, recorder, errors }) => {
    // Another process (a CLI, a backup script) holds the write lock.
    const other = new Database(path)
    other.exec('BEGIN IMMEDIATE')
    recorder.record(row('first'))
    recorder.record(row('second'))
    const started = performance.now()
    await recorder.flush()
    expect(performance.now() - started).toBeLessThan(1000) // not the store's 5 s busy timeout
    expect(db.query('SELECT COUNT(*) AS n FROM usage_events').get()).toEqual({ n: 0 })
    expect(recorder.pending().map((event) => event.requestId)).toEqual(['first', 'second'])
    expect(errors.filter((line) => line.includes('kept, retrying'))).toHaveLength(1)
    await recorder.flush() // still locked: kept again, reported once
    expect(errors.filter((line) => line.includes('kept, retrying'))).toHaveLength(1)

    other.exec('COMMIT')
    other.close()
    recorder.record(row('third'))
    await recorder.flush()
    expect((db.query('SELECT request_id FROM usage_events ORDER BY id').all() as { request_id: string }[]).map((r) => r.request_id)).toEqual(['first', 'second', 'third'])
    expect(recorder.pending()).toHaveLength(0)
    expect(recorder.dropped()).toBe(0)
    // Each request is counted once in the metrics, however many times its row was tried.
    expect(db.query('SELECT SUM(requests) AS n FROM usage_hourly').get()).toEqual({ n: 3 })
    expect(recorder.metrics.render()).toContain('modelmux_requests_total')
    expect(recorder.metrics.render()).toMatch(/modelmux_requests_total\{[^}]*\} 3\b/)
  }))

test('rows are written intervalMs after they are queued, without a flush call, and a lock is retried on the same timer', () =>
  withRecorder(50, async ({ path, db, recorder, errors }) => {
    const count = () => (db.query('SELECT COUNT(*) AS n FROM usage_events').get() as { n: number }).n
    const until = async (condition: () => boolean) => {
      for (let waited = 0; !condition() && waited < 2000; waited += 10) await Bun.sleep(10)
    }
    recorder.record(row('first'))
    await until(() => count() === 1)
    expect(count()).toBe(1)
    // Later rows arm the timer again.
    recorder.record(row('second'))
    await until(() => count() === 2)
    expect(count()).toBe(2)
    // Held back by a lock, a row is kept and written once the lock goes, with nothing else queued.
    const other = new Database(path)
    other.exec('BEGIN IMMEDIATE')
    recorder.record(row('third'))
    await until(() => errors.some((line) => line.includes('kept, retrying')))
    expect(count()).toBe(2)
    expect(recorder.pending()).toHaveLength(1)
    other.exec('COMMIT')
    other.close()
    await until(() => count() === 3)
    expect(count()).toBe(3)
  }))
