/**
 * The usage writer thread: owns its own SQLite connection (WAL lets it write beside the main thread)
 * so batched inserts and rollup upserts never block request handling.
 * @module
 */
import { openDatabase } from './db'
import { insertAttemptEvents, insertUsageEvents, type AttemptEvent, type UsageEvent } from './usage'

declare const self: Worker

/** A batch sent by the main thread; `id` is echoed back when it is written. */
export interface WriteMessage {
  id: number
  path?: string
  usage: UsageEvent[]
  attempts: AttemptEvent[]
}

let db: ReturnType<typeof openDatabase> | undefined

self.onmessage = (event: MessageEvent<WriteMessage>) => {
  const { id, path, usage, attempts } = event.data
  try {
    if (path) db = openDatabase(path)
    if (!db) throw new Error('usage writer: no database opened')
    const open = db
    open.transaction(() => {
      if (usage.length) insertUsageEvents(open, usage)
      if (attempts.length) insertAttemptEvents(open, attempts)
    })()
    self.postMessage({ id, ok: true })
  } catch (error) {
    self.postMessage({ id, ok: false, error: (error as Error).message })
  }
}
