/**
 * The load generator: N workers, each looping one request at a time over keep-alive connections
 * (Bun's fetch pools them), for a fixed duration. Every response is read to the end; a non-200
 * status, a transport error or a body without the reply's end marker counts as an error.
 * @module
 */
import { summarize, type Summary } from './stats'

/** One load target and shape. */
export interface LoadOptions {
  url: string
  headers: Record<string, string>
  body: string
  concurrency: number
  /** Text a complete response ends with (checked within its last 64 bytes). */
  endMarker: string
}

/** What one load run measured (times in ms). */
export interface LoadResult {
  requests: number
  errors: number
  /** Error descriptions with their counts (status codes, messages, truncated bodies). */
  errorKinds: Record<string, number>
  elapsedMs: number
  rps: number
  latency: Summary
  /** Request start to first body chunk. */
  ttfb: Summary
  bytesPerResponse: number
  chunksPerResponse: number
}

/** Raw samples of one or more load slices (merge slices by passing them all to `summarizeLoad`). */
export interface Tally {
  elapsedMs: number
  latencies: number[]
  ttfbs: number[]
  errors: number
  errorKinds: Record<string, number>
  bytes: number
  chunks: number
}

const decoder = new TextDecoder()

/** Sends one request and reads it to the end, recording into `tally`. */
async function oneRequest(options: LoadOptions, tally: Tally): Promise<void> {
  const fail = (kind: string) => {
    tally.errors++
    tally.errorKinds[kind] = (tally.errorKinds[kind] ?? 0) + 1
  }
  const start = performance.now()
  let ttfb = NaN
  try {
    const response = await fetch(options.url, { method: 'POST', headers: options.headers, body: options.body })
    let tail: Uint8Array = new Uint8Array(0)
    let bytes = 0
    let chunks = 0
    for await (const chunk of response.body ?? []) {
      if (chunks === 0) ttfb = performance.now() - start
      chunks++
      bytes += chunk.byteLength
      tail = chunk.byteLength >= 64 ? chunk : concatTail(tail, chunk)
    }
    const end = performance.now()
    if (response.status !== 200) return fail(`HTTP ${response.status}: ${decoder.decode(tail).slice(-120)}`)
    if (!decoder.decode(tail.subarray(-64)).includes(options.endMarker)) return fail(`truncated body (no "${options.endMarker}" at the end)`)
    tally.latencies.push(end - start)
    tally.ttfbs.push(ttfb)
    tally.bytes += bytes
    tally.chunks += chunks
  } catch (error) {
    fail(`${(error as Error).name}: ${(error as Error).message}`)
  }
}

function concatTail(tail: Uint8Array, chunk: Uint8Array): Uint8Array {
  const joined = new Uint8Array(tail.byteLength + chunk.byteLength)
  joined.set(tail)
  joined.set(chunk, tail.byteLength)
  return joined.subarray(-64)
}

/** Keeps `concurrency` requests in flight for `durationMs`; returns the raw samples. */
export async function driveLoad(options: LoadOptions, durationMs: number): Promise<Tally> {
  const tally: Tally = { elapsedMs: 0, latencies: [], ttfbs: [], errors: 0, errorKinds: {}, bytes: 0, chunks: 0 }
  const started = performance.now()
  const deadline = started + durationMs
  const worker = async () => {
    while (performance.now() < deadline) await oneRequest(options, tally)
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  tally.elapsedMs = performance.now() - started
  return tally
}

/** Merges slices into one result; `warmup` slices only contribute their errors. */
export function summarizeLoad(slices: Tally[], warmup: Tally[] = []): LoadResult {
  const latencies = slices.flatMap((slice) => slice.latencies)
  const ok = latencies.length
  const elapsedMs = slices.reduce((sum, slice) => sum + slice.elapsedMs, 0)
  const errorKinds: Record<string, number> = {}
  const addErrors = (slice: Tally, prefix: string) => {
    for (const [kind, count] of Object.entries(slice.errorKinds)) errorKinds[prefix + kind] = (errorKinds[prefix + kind] ?? 0) + count
  }
  warmup.forEach((slice) => addErrors(slice, 'warm-up: '))
  slices.forEach((slice) => addErrors(slice, ''))
  const measuredErrors = slices.reduce((sum, slice) => sum + slice.errors, 0)
  const sum = (pick: (slice: Tally) => number) => slices.reduce((total, slice) => total + pick(slice), 0)
  return {
    requests: ok + measuredErrors,
    errors: measuredErrors + warmup.reduce((total, slice) => total + slice.errors, 0),
    errorKinds,
    elapsedMs,
    rps: (ok / elapsedMs) * 1000,
    latency: summarize(latencies),
    ttfb: summarize(slices.flatMap((slice) => slice.ttfbs)),
    bytesPerResponse: ok ? sum((slice) => slice.bytes) / ok : 0,
    chunksPerResponse: ok ? sum((slice) => slice.chunks) / ok : 0,
  }
}
