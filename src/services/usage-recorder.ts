import type { Database } from 'bun:sqlite'
import { insertUsageEvents, type UsageEvent } from '../store/usage'

/** Queues usage events and writes them in batches, off the request path, with bounded memory. */
export interface UsageRecorder {
  record(event: UsageEvent): void
  flush(): void
  close(): void
  /** Events dropped because the queue was full (the store could not keep up). */
  dropped(): number
}

/** Starts a recorder that flushes every `intervalMs` or once `batchSize` events are queued. */
export function createUsageRecorder(db: Database, options: { intervalMs?: number; batchSize?: number; maxQueue?: number } = {}): UsageRecorder {
  const batchSize = options.batchSize ?? 200
  const maxQueue = options.maxQueue ?? 20_000
  let queue: UsageEvent[] = []
  let droppedCount = 0
  const flush = () => {
    if (queue.length === 0) return
    const batch = queue
    queue = []
    try {
      insertUsageEvents(db, batch)
    } catch (error) {
      droppedCount += batch.length
      console.error(`modelmux: could not record ${batch.length} usage events: ${(error as Error).message}`)
    }
  }
  const timer = setInterval(flush, options.intervalMs ?? 1000)
  timer.unref?.()
  return {
    record(event) {
      if (queue.length >= maxQueue) {
        queue.shift()
        droppedCount++
      }
      queue.push(event)
      if (queue.length >= batchSize) queueMicrotask(flush)
    },
    flush,
    close() {
      clearInterval(timer)
      flush()
    },
    dropped: () => droppedCount,
  }
}
