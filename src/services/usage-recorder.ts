import type { Database } from 'bun:sqlite'
import { BROKE_MID_ANSWER } from '../core/stream-resume'
import { listAliases, listCombos } from '../store/combos'
import { BUSY_TIMEOUT_MS } from '../store/db'
import { insertAttemptEvents, insertUsageEvents, type AttemptEvent, type UsageEvent } from '../store/usage'
import { createMetrics, type Metrics } from './metrics'
import { pricingSnapshot, priceRequest } from './pricing'

/** Counts a request's prompt locally; called only when the upstream reported no usage. */
export type InputEstimate = () => number | Promise<number>

/** Queues usage and attempt rows and writes them in batches, off the request path, with bounded memory. */
export interface UsageRecorder {
  /** Queues a row; `estimateInput` fills its input count (marked estimated) when the upstream reported none. */
  record(event: UsageEvent, estimateInput?: InputEstimate): void
  recordAttempt(event: AttemptEvent): void
  /** Writes the queued rows; resolves once they are committed. */
  flush(): Promise<void>
  close(): Promise<void>
  /** Rows dropped because the queue was full (the store could not keep up). */
  dropped(): number
  /** Usage rows queued but not yet written (budgets and key limits count them too). */
  pending(): readonly UsageEvent[]
  /** Calls `listener` with each batch of usage rows once it is committed (sums cached from the store add them). */
  onWritten(listener: (rows: readonly UsageEvent[]) => void): void
  /** In-memory counters and histograms for `/metrics`, updated as rows are flushed. */
  metrics: Metrics
  /** Resolves once every local estimate in progress has been queued (tests await it before `flush`). */
  settled(): Promise<void>
}

const hasCounts = (event: UsageEvent) =>
  event.inputTokens !== undefined || event.outputTokens !== undefined || event.cacheReadTokens !== undefined || event.cacheWriteTokens !== undefined

/** A successful request with one attempt and no stored trace: its attempt is the usage row itself. */
export function isImpliedAttempt(event: Pick<UsageEvent, 'attempts' | 'status' | 'connectionId'>): boolean {
  return event.attempts === 1 && event.status < 400 && event.connectionId !== null
}

/** The combo a requested model names, following aliases the way routing does. */
function comboResolver(db: Database): (model: string | null) => string | null {
  let combos: Set<string> | undefined
  let aliases: Record<string, string> | undefined
  return (model) => {
    if (model === null) return null
    combos ??= new Set(listCombos(db).map((combo) => combo.name))
    aliases ??= listAliases(db)
    let name = model
    for (let depth = 0; depth < 8; depth++) {
      if (combos.has(name)) return name
      const target = aliases[name]
      if (target === undefined || target === name) return null
      name = target
    }
    return null
  }
}

/** Completes one row before it is written: the combo asked for, and list and actual cost. */
function enrich(row: UsageEvent, comboOf: (model: string | null) => string | null, db: Database): UsageEvent {
  if (row.combo === undefined) row.combo = comboOf(row.requestedModel)
  if (row.listCost === undefined && row.actualCost === undefined) Object.assign(row, priceRequest(pricingSnapshot(db, Date.now()), row))
  return row
}

// A batch waits at most this long for another process's lock (a CLI writing, a backup): requests queue behind it.
const BATCH_BUSY_TIMEOUT_MS = 50

/** Writes one batch of usage and attempt rows in a single transaction; throws (writing nothing) if the store is locked or failing. */
function writeBatch(db: Database, usage: UsageEvent[], attempts: AttemptEvent[], patient = false): void {
  if (!patient) db.exec(`PRAGMA busy_timeout = ${BATCH_BUSY_TIMEOUT_MS}`)
  try {
    db.transaction(() => {
      if (usage.length) insertUsageEvents(db, usage)
      if (attempts.length) insertAttemptEvents(db, attempts)
    })()
  } finally {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
  }
}

/** The newest `max` rows of a list (what a bounded queue keeps). */
const newest = <T>(rows: T[], max: number): T[] => (rows.length > max ? rows.slice(rows.length - max) : rows)

/**
 * Starts a recorder that flushes `intervalMs` after a row is queued (an empty recorder sets no timer) or once
 * `batchSize` rows are queued. Batches are
 * written on this thread: with time-ordered ids and folded rollups a row costs about 4 µs, less than
 * handing it to a worker thread costs, and no second JS heap is kept alive for it.
 */
export function createUsageRecorder(db: Database, options: { intervalMs?: number; batchSize?: number; maxQueue?: number } = {}): UsageRecorder {
  const batchSize = options.batchSize ?? 128
  const maxQueue = options.maxQueue ?? 20_000
  const metrics = createMetrics()
  let usage: UsageEvent[] = []
  const estimating = new Set<Promise<void>>()
  let closed = false
  let attempts: AttemptEvent[] = []
  let droppedCount = 0
  let flushQueued = false
  const intervalMs = options.intervalMs ?? 1000
  // Armed while rows wait (queued, or kept after a failed write); an idle recorder wakes nothing.
  let timer: ReturnType<typeof setTimeout> | undefined
  const arm = () => {
    if (timer !== undefined || closed) return
    timer = setTimeout(() => {
      timer = undefined
      void flush()
    }, intervalMs)
    timer.unref?.()
  }
  // Rows a failed write kept for the next flush (already enriched and counted in the metrics).
  let retryUsage: UsageEvent[] = []
  let retryAttempts: AttemptEvent[] = []
  let failing = false
  const written: ((rows: readonly UsageEvent[]) => void)[] = []
  const flush = async () => {
    flushQueued = false
    if (usage.length === 0 && attempts.length === 0 && retryUsage.length === 0 && retryAttempts.length === 0) return
    const comboOf = comboResolver(db)
    const usageBatch = usage.map((event) => enrich(event, comboOf, db))
    const attemptBatch = attempts
    usage = []
    attempts = []
    for (const event of attemptBatch) metrics.observeAttempt(event)
    const traced = new Set(attemptBatch.map((event) => event.requestId))
    // A request's rows are queued together: its broken attempts are in the batch its usage row is in.
    const broke = new Set(attemptBatch.filter((event) => event.reason?.startsWith(BROKE_MID_ANSWER)).map((event) => event.requestId))
    for (const event of usageBatch) {
      metrics.observeRequest(event, event.status < 400 && broke.has(event.requestId))
      // A request answered by its only attempt stores no attempt row (routing keeps traces that add something).
      if (isImpliedAttempt(event) && !traced.has(event.requestId)) metrics.observeAttempt(event)
    }
    const writeUsage = retryUsage.length ? retryUsage.concat(usageBatch) : usageBatch
    const writeAttempts = retryAttempts.length ? retryAttempts.concat(attemptBatch) : attemptBatch
    retryUsage = []
    retryAttempts = []
    try {
      writeBatch(db, writeUsage, writeAttempts)
      if (failing) console.error('modelmux: usage rows are being recorded again')
      failing = false
      for (const listener of written) listener(writeUsage)
    } catch (error) {
      // Kept for the next flush (the oldest beyond the queue bound are dropped): a locked store loses nothing.
      retryUsage = newest(writeUsage, maxQueue)
      retryAttempts = newest(writeAttempts, maxQueue)
      droppedCount += writeUsage.length - retryUsage.length + writeAttempts.length - retryAttempts.length
      if (!failing) console.error(`modelmux: could not record ${writeUsage.length + writeAttempts.length} usage rows (kept, retrying): ${(error as Error).message}`)
      failing = true
      arm()
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
      setTimeout(() => void flush(), 0)
    }
    arm()
  }
  // A successful answer without counts gets a local estimate of its prompt (the tokenizer loads lazily,
  // so this is asynchronous); the row is queued once it is known and marked `estimated`.
  const record = (row: UsageEvent, estimateInput?: InputEstimate) => {
    if (!estimateInput || hasCounts(row) || row.status >= 400 || row.model === null) return push(usage, row)
    const done: Promise<void> = Promise.resolve()
      .then(estimateInput)
      .then(
        (tokens) => {
          if (Number.isFinite(tokens)) Object.assign(row, { inputTokens: tokens, estimated: true })
        },
        () => {},
      )
      .finally(() => {
        estimating.delete(done)
        if (closed) droppedCount++
        else push(usage, row)
      })
    estimating.add(done)
  }
  return {
    record,
    recordAttempt: (event) => push(attempts, event),
    flush,
    async close() {
      await Promise.all([...estimating])
      closed = true
      clearTimeout(timer)
      timer = undefined
      await flush()
      // Shutting down: what a lock held back gets one last try, waiting the store's usual time.
      if (retryUsage.length > 0 || retryAttempts.length > 0) {
        try {
          writeBatch(db, retryUsage, retryAttempts, true)
        } catch (error) {
          droppedCount += retryUsage.length + retryAttempts.length
          console.error(`modelmux: ${retryUsage.length + retryAttempts.length} usage rows could not be recorded: ${(error as Error).message}`)
        }
      }
    },
    dropped: () => droppedCount,
    pending: () => (retryUsage.length === 0 ? usage : [...retryUsage, ...usage]),
    onWritten: (listener) => void written.push(listener),
    metrics,
    async settled() {
      await Promise.all([...estimating])
    },
  }
}
