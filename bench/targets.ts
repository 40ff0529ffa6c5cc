/** Direct-vs-modelmux comparisons and the performance targets checked against them. */
import type { LoadResult } from './load'
import type { ColdStartResult } from './cold-start'
import { scenarios } from './scenarios'

/** Who answers the load generator: the fake upstream itself, modelmux, or the reference bare Bun proxy. */
export type Target = 'direct' | 'modelmux' | 'bare-proxy'

/** One measured load run. */
export interface RunRow {
  scenario: string
  stream: boolean
  target: Target
  concurrency: number
  result: LoadResult
  /** CPU time used meanwhile by the process answering the client (the fake upstream when direct). */
  serverCpuMs: number
  /** CPU time the load generator (this process) used meanwhile. */
  clientCpuMs: number
  /** Peak modelmux RSS sampled during this run (modelmux rows only). */
  peakRssMb?: number
  /** The anonymous part of that peak (the rest is mapped files, mostly the executable's code). */
  peakAnonMb?: number
  /** How many RSS samples that peak is taken from. */
  rssSamples?: number
}

/** modelmux minus direct for one scenario at one concurrency (ms, or a ratio). */
export interface Comparison {
  scenario: string
  stream: boolean
  concurrency: number
  addedP50Ms: number
  addedP99Ms: number
  addedTtfbP50Ms: number
  /** modelmux requests/s divided by direct requests/s. */
  rpsRatio: number
  /** The same two figures for the reference bare proxy, when it was measured. */
  bare?: { addedP50Ms: number; rpsRatio: number }
  /** For a cross-format pair: its requests/s divided by the passthrough of the same reply, through modelmux. */
  vsPassthrough?: { scenario: string; rpsRatio: number }
}

/** modelmux's memory at the moments the bench looks (MB). */
export interface MemoryResult {
  idleAfterStartMb: number
  idleAfterWarmupMb: number
  peakUnderLoadMb: number
  /** The kernel's own high-water mark (VmHWM) at the end of the load runs. */
  highWaterMarkMb: number
  idleAfterLoadMb: number
  /** After a long pause (+45 s): compiled code dropped too, as an idle router runs most of the day. */
  idleAfterLongPauseMb: number
  samples: number
  /** Reference point: the fake upstream (a bare Bun.serve process) idle. */
  fakeIdleMb: number
  /** The anonymous part of each reading above (what the process allocated; the rest is mapped files, mostly its code). */
  anonMb: { idleAfterStart: number; idleAfterWarmup: number; peakUnderLoad: number; idleAfterLoad: number; idleAfterLongPause: number }
  /** With `--reference`: the smallest Bun server, compiled like modelmux, idle after start and after a warm-up of its own. */
  floor?: { idleAfterStart: MemoryReading; idleAfterWarmup: MemoryReading }
}

/** One RSS reading and its anonymous part, in MB. */
export interface MemoryReading {
  rssMb: number
  anonMb: number
}

/** One target and whether this run met it. */
export interface TargetCheck {
  target: string
  limit: string
  measured: string
  pass: boolean
}

/** Pairs every modelmux row with its direct row. */
export function compare(rows: RunRow[]): Comparison[] {
  const comparisons: Comparison[] = []
  for (const mux of rows.filter((row) => row.target === 'modelmux')) {
    const find = (target: Target) => rows.find((row) => row.target === target && row.scenario === mux.scenario && row.concurrency === mux.concurrency)
    const direct = find('direct')
    if (!direct) continue
    const bare = find('bare-proxy')
    const passthroughName = scenarios.find((scenario) => scenario.name === mux.scenario)?.passthrough
    const passthrough = passthroughName && rows.find((row) => row.target === 'modelmux' && row.scenario === passthroughName && row.concurrency === mux.concurrency)
    comparisons.push({
      scenario: mux.scenario,
      stream: mux.stream,
      concurrency: mux.concurrency,
      addedP50Ms: mux.result.latency.p50 - direct.result.latency.p50,
      addedP99Ms: mux.result.latency.p99 - direct.result.latency.p99,
      addedTtfbP50Ms: mux.result.ttfb.p50 - direct.result.ttfb.p50,
      rpsRatio: mux.result.rps / direct.result.rps,
      bare: bare && { addedP50Ms: bare.result.latency.p50 - direct.result.latency.p50, rpsRatio: bare.result.rps / direct.result.rps },
      vsPassthrough: passthrough ? { scenario: passthrough.scenario, rpsRatio: mux.result.rps / passthrough.result.rps } : undefined,
    })
  }
  return comparisons
}

/** The limits from the performance brief. */
export const limits = {
  addedP50AtC1Ms: 0.5,
  ttfbOverheadMs: 1,
  rpsRatioAtC32: 0.35,
  /** Cross-format requests/s as a share of passthrough requests/s (issue 3). */
  crossFormatRatio: 0.8,
  /** Translation cost per streamed chunk, every format pair (issue 3). */
  translationUsPerChunk: 5,
  idleRssMb: 60,
  loadRssMb: 150,
  coldStartMs: 150,
}

const ms = (value: number) => `${value.toFixed(3)} ms`

/** Checks every target; one line per scenario where a target is per scenario. */
export function checkTargets(comparisons: Comparison[], memory: MemoryResult, coldStart: ColdStartResult | undefined): TargetCheck[] {
  const checks: TargetCheck[] = []
  for (const c of comparisons.filter((c) => c.concurrency === 1)) {
    checks.push({ target: `added p50 latency, c=1, ${c.scenario}`, limit: `≤ ${limits.addedP50AtC1Ms} ms`, measured: ms(c.addedP50Ms), pass: c.addedP50Ms <= limits.addedP50AtC1Ms })
  }
  for (const c of comparisons.filter((c) => c.concurrency === 1 && c.stream)) {
    checks.push({ target: `stream TTFB overhead (p50), c=1, ${c.scenario}`, limit: `≤ ${limits.ttfbOverheadMs} ms`, measured: ms(c.addedTtfbP50Ms), pass: c.addedTtfbP50Ms <= limits.ttfbOverheadMs })
  }
  for (const c of comparisons.filter((c) => c.concurrency === 32)) {
    if (c.vsPassthrough) continue
    checks.push({ target: `req/s vs direct, c=32, ${c.scenario}`, limit: `≥ ${limits.rpsRatioAtC32 * 100} %`, measured: `${(c.rpsRatio * 100).toFixed(1)} %`, pass: c.rpsRatio >= limits.rpsRatioAtC32 })
  }
  for (const c of comparisons.filter((c) => c.vsPassthrough)) {
    const ratio = c.vsPassthrough!.rpsRatio
    checks.push({ target: `req/s cross vs passthrough, c=${c.concurrency}, ${c.scenario}`, limit: `≥ ${limits.crossFormatRatio * 100} %`, measured: `${(ratio * 100).toFixed(1)} %`, pass: ratio >= limits.crossFormatRatio })
  }
  checks.push({ target: 'RSS idle (after warm-up)', limit: `≤ ${limits.idleRssMb} MB`, measured: `${memory.idleAfterWarmupMb.toFixed(1)} MB`, pass: memory.idleAfterWarmupMb <= limits.idleRssMb })
  checks.push({ target: 'RSS peak under load', limit: `≤ ${limits.loadRssMb} MB`, measured: `${memory.peakUnderLoadMb.toFixed(1)} MB`, pass: memory.peakUnderLoadMb <= limits.loadRssMb })
  if (coldStart) {
    checks.push({ target: 'cold start, first-ever (median)', limit: `≤ ${limits.coldStartMs} ms`, measured: `${coldStart.firstStartMedianMs.toFixed(1)} ms`, pass: coldStart.firstStartMedianMs <= limits.coldStartMs })
    checks.push({ target: 'cold start, restart (median)', limit: `≤ ${limits.coldStartMs} ms`, measured: `${coldStart.restartMedianMs.toFixed(1)} ms`, pass: coldStart.restartMedianMs <= limits.coldStartMs })
  }
  return checks
}
