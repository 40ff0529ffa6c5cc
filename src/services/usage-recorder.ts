import type { Database } from 'bun:sqlite'
import { insertAttemptEvents, insertUsageEvents, type AttemptEvent, type UsageEvent } from '../store/usage'

/** Queues usage and attempt rows and writes them in batches, off the request path, with bounded memory. */
export interface UsageRecorder {
  record(event: UsageEvent): void
  recordAttempt(event: AttemptEvent): void
  flush(): void
  close(): void
  /** Rows dropped because the queue was full (the store could not keep up). */
  dropped(): number
}

/** Starts a recorder that flushes every `intervalMs` or once `batchSize` rows are queued. */
export function createUsageRecorder(db: Database, options: { intervalMs?: number; batchSize?: number; maxQueue?: number } = {}): UsageRecorder {
  const batchSize = options.batchSize ?? 200
  const maxQueue = options.maxQueue ?? 20_000
  let usage: UsageEvent[] = []
  let attempts: AttemptEvent[] = []
  let droppedCount = 0
  let flushQueued = false
  const flush = () => {
    flushQueued = false
    if (usage.length === 0 && attempts.length === 0) return
    const usageBatch = usage
    const attemptBatch = attempts
    usage = []
    attempts = []
    try {
      db.transaction(() => {
        if (usageBatch.length) insertUsageEvents(db, usageBatch)
        if (attemptBatch.length) insertAttemptEvents(db, attemptBatch)
      })()
    } catch (error) {
      droppedCount += usageBatch.length + attemptBatch.length
      console.error(`modelmux: could not record ${usageBatch.length + attemptBatch.length} usage rows: ${(error as Error).message}`)
    }
  }
  const push = <T>(queue: T[], row: T) => {
    if (queue.length >= maxQueue) {
      queue.shift()
      droppedCount++
    }
    queue.push(row)
    if (!flushQueued && usage.length + attempts.length >= batchSize) {
      flushQueued = true
      setTimeout(flush, 0)
    }
  }
  const timer = setInterval(flush, options.intervalMs ?? 1000)
  timer.unref?.()
  return {
    record: (event) => push(usage, event),
    recordAttempt: (event) => push(attempts, event),
    flush,
    close() {
      clearInterval(timer)
      flush()
    },
    dropped: () => droppedCount,
  }
}
