import type { Database } from 'bun:sqlite'
import { insertAttemptEvents, insertUsageEvents, type AttemptEvent, type UsageEvent } from './usage'

/** Writes batches of usage and attempt rows; resolves once they are committed. */
export interface UsageWriter {
  write(usage: UsageEvent[], attempts: AttemptEvent[]): Promise<void>
  close(): Promise<void>
}

/** Writes on the calling thread (in-memory databases, or when no worker can start). */
export function createInlineWriter(db: Database): UsageWriter {
  return {
    async write(usage, attempts) {
      db.transaction(() => {
        if (usage.length) insertUsageEvents(db, usage)
        if (attempts.length) insertAttemptEvents(db, attempts)
      })()
    },
    async close() {},
  }
}

/**
 * Writes on a worker thread with its own connection to the same database file, so inserts, index
 * updates and hourly rollups never stall request handling. Falls back to inline writes if the worker fails.
 */
export function createUsageWriter(db: Database): UsageWriter {
  const path = db.filename
  if (!path || path === ':memory:') return createInlineWriter(db)
  let worker: Worker
  try {
    worker = new Worker(new URL('./usage-writer-worker.ts', import.meta.url).href)
  } catch {
    return createInlineWriter(db)
  }
  const inline = createInlineWriter(db)
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void; usage: UsageEvent[]; attempts: AttemptEvent[] }>()
  let nextId = 0
  let broken = false
  let opened = false
  worker.onmessage = (event: MessageEvent<{ id: number; ok: boolean; error?: string }>) => {
    const entry = waiting.get(event.data.id)
    if (!entry) return
    waiting.delete(event.data.id)
    if (event.data.ok) entry.resolve()
    else entry.reject(new Error(event.data.error))
  }
  worker.onerror = () => {
    // The thread died: write what it still held on this thread, and from now on write here.
    broken = true
    for (const [id, entry] of waiting) {
      waiting.delete(id)
      inline.write(entry.usage, entry.attempts).then(entry.resolve, entry.reject)
    }
  }
  ;(worker as unknown as { unref(): void }).unref()
  return {
    write(usage, attempts) {
      if (broken) return inline.write(usage, attempts)
      const id = ++nextId
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject, usage, attempts })
        worker.postMessage({ id, path: opened ? undefined : path, usage, attempts })
        opened = true
      })
    },
    async close() {
      await Promise.allSettled([...waiting.values()].map((entry) => new Promise<void>((resolve) => {
        const done = entry.resolve
        entry.resolve = () => (done(), resolve())
        const failed = entry.reject
        entry.reject = (error) => (failed(error), resolve())
      })))
      worker.terminate()
    },
  }
}
