/** Renders a bench run as plain-text tables. */
import type { BenchRun } from './run'
import type { Comparison, TargetCheck } from './targets'

/** Lays out rows as an aligned text table (first row is the header; numbers right-aligned). */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  const numeric = (text: string) => /^[-+]?[\d.,]+(, [\d.]+)*\s*(%|ms|MB|x)?$/.test(text)
  const line = (row: string[]) => row.map((cell, i) => (numeric(cell) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd()
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n')
}

const f = (value: number, digits = 3) => (Number.isFinite(value) ? value.toFixed(digits) : '-')
const signed = (value: number, digits = 3) => (Number.isFinite(value) ? (value >= 0 ? '+' : '') + value.toFixed(digits) : '-')

/** The load table: one line per scenario × concurrency × target. */
export function loadTable(run: BenchRun): string {
  // server CPU: the answering process (fake upstream when direct, modelmux otherwise); client CPU: the load generator.
  const header = ['scenario', 'conc', 'via', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'ttfb p50', 'ttfb p99', 'KB/resp', 'chunks', 'client CPU', 'server CPU', 'server µs/req', 'peak RSS', 'errors']
  const rows = run.rows.map((row) => {
    const r = row.result
    return [
      row.scenario,
      String(row.concurrency),
      row.target,
      String(r.requests),
      f(r.rps, 0),
      f(r.latency.p50),
      f(r.latency.p99),
      f(r.ttfb.p50),
      f(r.ttfb.p99),
      f(r.bytesPerResponse / 1024, 1),
      f(r.chunksPerResponse, 1),
      `${f((row.clientCpuMs / r.elapsedMs) * 100, 0)} %`,
      `${f((row.serverCpuMs / r.elapsedMs) * 100, 0)} %`,
      f((row.serverCpuMs * 1000) / (r.requests || NaN), 0),
      row.peakRssMb === undefined ? '' : `${f(row.peakRssMb, 1)} MB`,
      String(r.errors),
    ]
  })
  return table([header, ...rows])
}

/** The overhead table: modelmux minus direct, and the throughput ratio. */
export function comparisonTable(comparisons: Comparison[]): string {
  // server CPU: the answering process (fake upstream when direct, modelmux otherwise); client CPU: the load generator.
  const withBare = comparisons.some((c) => c.bare)
  const header = ['scenario', 'conc', 'added p50 ms', 'added p99 ms', 'added ttfb p50 ms', 'req/s modelmux/direct']
  if (withBare) header.push('bare proxy: added p50 ms', 'req/s bare/direct')
  const rows = comparisons.map((c) => [
    c.scenario,
    String(c.concurrency),
    signed(c.addedP50Ms),
    signed(c.addedP99Ms),
    c.stream ? signed(c.addedTtfbP50Ms) : `${signed(c.addedTtfbP50Ms)} (n/a)`,
    `${f(c.rpsRatio * 100, 1)} %`,
    ...(withBare ? [signed(c.bare?.addedP50Ms ?? NaN), `${f((c.bare?.rpsRatio ?? NaN) * 100, 1)} %`] : []),
  ])
  return table([header, ...rows])
}

/** Memory and cold-start figures. */
export function memoryAndStartTable(run: BenchRun): string {
  const m = run.memory
  // RSS with its anonymous part: what the process allocated, apart from the files it maps (mostly its own code).
  const rss = (mb: number, anonMb: number) => `${f(mb, 1)} MB (${f(anonMb, 1)} anon)`
  const rows = [
    ['measure', 'value'],
    ['RSS idle after start (restart, initialised data dir)', rss(m.idleAfterStartMb, m.anonMb.idleAfterStart)],
    ['RSS idle after warm-up (+2 s)', rss(m.idleAfterWarmupMb, m.anonMb.idleAfterWarmup)],
    [`RSS peak under load (${m.samples} samples @50 ms)`, rss(m.peakUnderLoadMb, m.anonMb.peakUnderLoad)],
    ['RSS high-water mark (VmHWM)', `${f(m.highWaterMarkMb, 1)} MB`],
    ['RSS idle after load (+2 s)', rss(m.idleAfterLoadMb, m.anonMb.idleAfterLoad)],
    ['RSS idle after a long pause (+45 s, compiled code dropped)', rss(m.idleAfterLongPauseMb, m.anonMb.idleAfterLongPause)],
    ['reference: fake upstream (bare Bun.serve, from source) idle', `${f(m.fakeIdleMb, 1)} MB`],
  ]
  if (m.floor) {
    rows.push(
      ['reference: smallest Bun server, compiled like modelmux, idle after start', rss(m.floor.idleAfterStart.rssMb, m.floor.idleAfterStart.anonMb)],
      ['  idle after a warm-up as long as modelmux\'s (+2 s)', rss(m.floor.idleAfterWarmup.rssMb, m.floor.idleAfterWarmup.anonMb)],
    )
  }
  const c = run.coldStart
  if (c) {
    const list = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ')
    rows.push(
      [`cold start first-ever, spawn→/v1/models 200 (median of ${c.runs})`, `${f(c.firstStartMedianMs, 1)} ms`],
      ['  spawn→"listening" line (median)', `${f(c.firstStartListeningMedianMs, 1)} ms`],
      ['  all runs (ms)', list(c.firstStart.map((t) => t.servedMs))],
      ['  RSS when first served (median)', `${f(c.firstStartRssMedianMb, 1)} MB`],
      [`cold start restart, spawn→/v1/models 200 (median of ${c.runs})`, `${f(c.restartMedianMs, 1)} ms`],
      ['  spawn→"listening" line (median)', `${f(c.restartListeningMedianMs, 1)} ms`],
      ['  all runs (ms)', list(c.restart.map((t) => t.servedMs))],
      ['  RSS when first served (median)', `${f(c.restartRssMedianMb, 1)} MB`],
    )
  }
  return table(rows)
}

/** Targets with PASS / MISS. */
export function targetsTable(checks: TargetCheck[]): string {
  return table([['target', 'limit', 'measured', 'result'], ...checks.map((c) => [c.target, c.limit, c.measured, c.pass ? 'PASS' : 'MISS'])])
}

/** Every error kind with its count, per run; empty when there were none. */
export function errorList(run: BenchRun): string {
  const lines: string[] = []
  for (const row of run.rows) {
    for (const [kind, count] of Object.entries(row.result.errorKinds)) lines.push(`  ${row.scenario} c=${row.concurrency} ${row.target}: ${count} × ${kind}`)
  }
  return lines.join('\n')
}
