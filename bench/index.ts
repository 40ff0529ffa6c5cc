/**
 * `bun run bench`: latency, throughput, memory and cold-start of modelmux against a local fake
 * upstream, direct vs through modelmux. Prints tables with PASS/MISS per target and writes
 * `bench/results/latest.json`. Exits 0 when targets are missed (it is a measurement) and 1 when
 * the run itself failed (a process did not start, or requests errored).
 *
 * Options: `--duration=MS` (per measured run, default 3000), `--warmup=MS` (default 500),
 * `--rounds=N` (direct/modelmux alternations per run, default 3),
 * `--cold-starts=N` (pairs of first start + restart, default 5), `--filter=TEXT` (scenario names),
 * `--cpu-prof=DIR` (profile the measured modelmux; a markdown CPU profile lands in DIR when it stops),
 * `--bun-flags="--smol ..."` (extra Bun flags for the measured modelmux),
 * `--reference` (also measure a bare Bun proxy, the floor any Bun-based proxy pays here, and the idle memory of the
 * smallest compiled Bun server),
 * `--source` (measure `bun run src/main.ts` instead of the compiled executable, which is the default).
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { comparisonTable, errorList, loadTable, memoryAndStartTable, targetsTable } from './report'
import { runBench, type BenchSettings } from './run'
import { checkTargets, compare, limits } from './targets'
import { measureTranslation, type TranslationResult } from './translation'

/** Parses `--name=value` options into bench settings. */
function parseSettings(argv: string[]): BenchSettings {
  const options = new Map(argv.filter((arg) => arg.startsWith('--')).map((arg) => arg.slice(2).split('=', 2) as [string, string]))
  const number = (name: string, fallback: number) => {
    const value = options.get(name)
    if (value === undefined) return fallback
    const parsed = Number(value)
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative number`)
    return parsed
  }
  return {
    durationMs: number('duration', 3000),
    warmupMs: number('warmup', 500),
    rounds: Math.max(1, Math.round(number('rounds', 3))),
    coldStarts: number('cold-starts', 5),
    filter: options.get('filter'),
    cpuProfDir: options.get('cpu-prof'),
    bunFlags: options.get('bun-flags')?.split(' ').filter(Boolean),
    reference: options.has('reference'),
    source: options.has('source'),
    log: (line) => process.stderr.write(`· ${line}\n`),
  }
}

/** Source formats as rows, client formats as columns. */
function translationTable(rows: TranslationResult[]): string {
  const targets = [...new Set(rows.map((row) => row.to))]
  const sources = [...new Set(rows.map((row) => row.from))]
  const header = ['from \\ to', ...targets]
  const lines = sources.map((from) => [from, ...targets.map((to) => rows.find((row) => row.from === from && row.to === to)?.usPerChunk.toFixed(2) ?? '—')])
  const widths = header.map((cell, column) => Math.max(cell.length, ...lines.map((line) => line[column].length)))
  const render = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')
  return [render(header), widths.map((width) => '-'.repeat(width)).join('  '), ...lines.map(render)].join('\n')
}

async function main(): Promise<number> {
  const settings = parseSettings(process.argv.slice(2))
  const began = performance.now()
  const loadBefore = loadavg()[0]
  let run
  try {
    run = await runBench(settings)
  } catch (error) {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`)
    return 1
  }
  const comparisons = compare(run.rows)
  const checks = checkTargets(comparisons, run.memory, run.coldStart)
  settings.log('translation cost per chunk, every format pair')
  const translation: TranslationResult[] = await measureTranslation()
  const worst = translation.reduce((max, row) => (row.usPerChunk > max.usPerChunk ? row : max), translation[0])
  checks.push({
    target: `translation per chunk, worst pair (${worst.from} → ${worst.to})`,
    limit: `≤ ${limits.translationUsPerChunk} µs`,
    measured: `${worst.usPerChunk.toFixed(2)} µs`,
    pass: worst.usPerChunk <= limits.translationUsPerChunk,
  })
  const errors = run.rows.reduce((sum, row) => sum + row.result.errors, 0)
  const seconds = (performance.now() - began) / 1000
  const load = { before: loadBefore, after: loadavg()[0] }

  const out: string[] = []
  out.push(`modelmux bench — Bun ${Bun.version}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${settings.durationMs} ms per run (${settings.rounds} alternating slices) after ${settings.warmupMs} ms warm-up; ${seconds.toFixed(1)} s total`)
  const noisy = run.otherCpuPercent > 15 ? ` — other work competed for the ${availableParallelism()} cores; numbers are noisy` : ''
  out.push(`other processes used ${run.otherCpuPercent.toFixed(0)} % CPU during the load runs (100 % = one core)${noisy}; load average before/after ${load.before.toFixed(2)} / ${load.after.toFixed(2)}`)
  out.push('', 'Load (latency = request start to last body byte; ttfb = to first body chunk; times in ms;', '      server = the process answering the load generator (the fake upstream when direct); client = load generator)', loadTable(run))
  out.push('', 'modelmux overhead (modelmux − direct)', comparisonTable(comparisons))
  out.push('', 'Memory (modelmux process VmRSS) and cold start', memoryAndStartTable(run))
  out.push('', 'Translation cost (µs per streamed chunk, decode + IR + encode + SSE framing)', translationTable(translation))
  out.push('', 'Targets', targetsTable(checks))
  const missed = checks.filter((check) => !check.pass).length
  out.push('', `${checks.length - missed}/${checks.length} targets met${missed ? ` (${missed} MISS)` : ''}; ${errors} request errors`)
  if (errors > 0) out.push('Request errors:', errorList(run))
  process.stdout.write(out.join('\n') + '\n')

  const resultsDir = join(import.meta.dir, 'results')
  mkdirSync(resultsDir, { recursive: true })
  const json = {
    at: new Date().toISOString(),
    environment: { bun: Bun.version, cores: availableParallelism(), memoryGiB: totalmem() / 2 ** 30, platform: process.platform, loadAverage: load },
    settings: { durationMs: settings.durationMs, warmupMs: settings.warmupMs, rounds: settings.rounds, coldStarts: settings.coldStarts, filter: settings.filter ?? null, bunFlags: settings.bunFlags ?? [], reference: settings.reference === true },
    limits,
    otherCpuPercent: run.otherCpuPercent,
    rows: run.rows,
    comparisons,
    memory: run.memory,
    coldStart: run.coldStart ?? null,
    translation,
    targets: checks,
    errors,
    seconds,
  }
  writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify(json, null, 2) + '\n')
  process.stdout.write(`results written to ${join(resultsDir, 'latest.json')}\n`)
  return errors > 0 ? 1 : 0
}

process.exitCode = await main()
