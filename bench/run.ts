/**
 * One whole bench run: start the fake upstream and modelmux as separate processes, measure every
 * scenario at every concurrency direct and through modelmux (see measure.ts), sample modelmux's
 * memory, then time cold starts. Children are always stopped, also when a step fails.
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { measureColdStart, type ColdStartResult } from './cold-start'
import { driveLoad, summarizeLoad } from './load'
import { measureScenario, requestFor, type Servers } from './measure'
import { ownCpuMs, readCpuMs, readMachineBusyMs, readMemory, startBareProxy, startFakeUpstream, startFloorServer, startModelmux, type Child } from './processes'
import { concurrencies, modelmuxConfig, scenarios, type Scenario } from './scenarios'
import type { MemoryReading, MemoryResult, RunRow } from './targets'
import { buildTarget, hostTarget } from '../build'

/** Knobs for one run. */
export interface BenchSettings {
  /** Measured time per scenario, concurrency and target, split into `rounds` alternating slices. */
  durationMs: number
  /** Unmeasured load before each scenario × concurrency, per target. */
  warmupMs: number
  /** The targets alternate this many times, so drift in machine load hits all alike. */
  rounds: number
  coldStarts: number
  /** Only scenarios whose name contains this text. */
  filter?: string
  /** When set, the measured modelmux runs with `--cpu-prof-md` and writes its profile here on exit. */
  cpuProfDir?: string
  /** Extra Bun flags for the measured modelmux (e.g. `--smol`). */
  bunFlags?: string[]
  /** Measure `bun run src/main.ts` instead of the compiled executable (implied by `cpuProfDir` and `bunFlags`). */
  source?: boolean
  /** Also measure the reference bare Bun proxy (`bare-proxy.ts`), the floor any Bun proxy pays. */
  reference?: boolean
  /** Called with a progress line after each step. */
  log: (line: string) => void
}

/** Everything a run measured. */
export interface BenchRun {
  rows: RunRow[]
  /** CPU the rest of the machine used during the load runs (100 = one core); high values mean noisy numbers. */
  otherCpuPercent: number
  memory: MemoryResult
  coldStart?: ColdStartResult
}

// modelmux runs a full collection once requests have paused for about a second (src/services/idle-gc.ts, checked
// every 250 ms): idle readings after traffic wait past that, so they see the idle router, not one mid-collection.
const IDLE_SETTLE_MS = 2000
// After 30 s without requests it also drops compiled code; the runtime returns those pages some seconds later.
const LONG_IDLE_MS = 45_000

/** Waits, then reads a process's RSS and its anonymous part (MB). */
async function settledMemory(pid: number, waitMs: number): Promise<MemoryReading> {
  await Bun.sleep(waitMs)
  const memory = readMemory(pid)
  return { rssMb: memory?.rssMb ?? NaN, anonMb: memory?.anonMb ?? NaN }
}

/**
 * The floor: the smallest Bun server, compiled like modelmux, read idle after start and after a warm-up as long as
 * modelmux's (one request at a time), with the same waits.
 */
async function measureFloor(settings: BenchSettings, binary: string, warmupMs: number): Promise<NonNullable<MemoryResult['floor']>> {
  const floor = await startFloorServer(binary)
  try {
    const idleAfterStart = await settledMemory(floor.pid, 300)
    await driveLoad({ url: floor.url, body: '{}', headers: {}, concurrency: 1, endMarker: 'ok' }, warmupMs)
    const idleAfterWarmup = await settledMemory(floor.pid, IDLE_SETTLE_MS)
    settings.log(`floor server RSS idle: ${idleAfterStart.rssMb.toFixed(1)} MB after start, ${idleAfterWarmup.rssMb.toFixed(1)} MB after warm-up`)
    return { idleAfterStart, idleAfterWarmup }
  } finally {
    await floor.stop()
  }
}

/** Runs every scenario × concurrency × target; returns rows and memory figures. */
async function measureLoad(settings: BenchSettings, servers: Servers, selected: Scenario[]): Promise<Omit<BenchRun, 'coldStart'>> {
  const { fake, modelmux } = servers
  const idleAfterStart = await settledMemory(modelmux.pid, 300)
  const fakeIdleMb = readMemory(fake.pid)?.rssMb ?? NaN
  // Warm-up: every scenario through modelmux once, so idle memory includes JIT-compiled code and pools.
  for (const scenario of selected) {
    const warm = summarizeLoad([await driveLoad(requestFor(scenario, 'modelmux', servers, 1), settings.warmupMs)])
    if (warm.errors > 0) throw new Error(`warm-up of "${scenario.name}" failed: ${JSON.stringify(warm.errorKinds)}`)
  }
  const idleAfterWarmup = await settledMemory(modelmux.pid, IDLE_SETTLE_MS)
  settings.log(`modelmux RSS idle: ${idleAfterStart.rssMb.toFixed(1)} MB after start, ${idleAfterWarmup.rssMb.toFixed(1)} MB after warm-up`)

  const rows: RunRow[] = []
  const ours = () => ownCpuMs() + [fake, modelmux, servers.bare].reduce((sum, child) => sum + (child ? readCpuMs(child.pid) : 0), 0)
  const before = { machine: readMachineBusyMs(), ours: ours(), at: performance.now() }
  for (const scenario of selected) {
    for (const concurrency of concurrencies) {
      for (const row of await measureScenario(settings, servers, scenario, concurrency)) {
        rows.push(row)
        const r = row.result
        const rss = row.peakRssMb === undefined ? '' : `, peak RSS ${row.peakRssMb.toFixed(1)} MB`
        const errors = r.errors ? `, ${r.errors} ERRORS` : ''
        const cpu = `, server CPU ${((row.serverCpuMs / r.elapsedMs) * 100).toFixed(0)} %`
        settings.log(`${scenario.name} c=${concurrency} ${row.target}: ${r.rps.toFixed(0)} req/s, p50 ${r.latency.p50.toFixed(3)} ms${cpu}${rss}${errors}`)
      }
    }
  }
  const elapsedMs = performance.now() - before.at
  // Tick rounding can make a quiet machine look slightly negative.
  const otherCpuPercent = Math.max(0, ((readMachineBusyMs() - before.machine - (ours() - before.ours)) / elapsedMs) * 100)
  settings.log(`other processes used ${otherCpuPercent.toFixed(0)} % CPU (of 100 % per core) during the load runs`)
  const peakRow = rows.reduce((peak, row) => ((row.peakRssMb ?? 0) > (peak.peakRssMb ?? 0) ? row : peak))
  const samples = rows.reduce((sum, row) => sum + (row.rssSamples ?? 0), 0)
  const highWaterMarkMb = readMemory(modelmux.pid)?.hwmMb ?? NaN
  const idleAfterLoad = await settledMemory(modelmux.pid, IDLE_SETTLE_MS)
  settings.log(`waiting ${LONG_IDLE_MS / 1000} s for the idle router's RSS after a long pause`)
  const idleAfterLongPause = await settledMemory(modelmux.pid, LONG_IDLE_MS - IDLE_SETTLE_MS)
  return {
    rows,
    otherCpuPercent,
    memory: {
      idleAfterStartMb: idleAfterStart.rssMb,
      idleAfterWarmupMb: idleAfterWarmup.rssMb,
      peakUnderLoadMb: peakRow.peakRssMb ?? 0,
      highWaterMarkMb,
      idleAfterLoadMb: idleAfterLoad.rssMb,
      idleAfterLongPauseMb: idleAfterLongPause.rssMb,
      samples,
      fakeIdleMb,
      anonMb: {
        idleAfterStart: idleAfterStart.anonMb,
        idleAfterWarmup: idleAfterWarmup.anonMb,
        peakUnderLoad: peakRow.peakAnonMb ?? NaN,
        idleAfterLoad: idleAfterLoad.anonMb,
        idleAfterLongPause: idleAfterLongPause.anonMb,
      },
    },
  }
}

/** Runs the whole bench; throws when a process fails to start (load errors are reported in the rows). */
export async function runBench(settings: BenchSettings): Promise<BenchRun> {
  const selected = scenarios.filter((scenario) => !settings.filter || scenario.name.includes(settings.filter))
  if (selected.length === 0) throw new Error(`no scenario matches "${settings.filter}"`)
  const workDir = mkdtempSync(join(tmpdir(), 'modelmux-bench-'))
  const children: Child[] = []
  const stopAll = () => Promise.all(children.splice(0).map((child) => child.stop()))
  const onSignal = () => void stopAll().finally(() => process.exit(130))
  process.once('SIGINT', onSignal)
  try {
    const fake = await startFakeUpstream()
    children.push(fake)
    // By default the measured modelmux is the executable users run (built for this machine, bytecode-compiled).
    const fromSource = settings.source || settings.cpuProfDir !== undefined || (settings.bunFlags?.length ?? 0) > 0
    const binary = fromSource ? undefined : await buildTarget(hostTarget(), join(workDir, 'bin'))
    settings.log(binary ? `measuring the compiled executable ${binary}` : 'measuring from source (bun run src/main.ts)')
    const configFile = join(workDir, 'config.json')
    writeFileSync(configFile, JSON.stringify(modelmuxConfig(fake.url), null, 2))
    // The measured instance is a restart: the first start (secrets, schema, password hash) is timed separately below.
    const dataDir = join(workDir, 'data')
    await (await startModelmux(dataDir, configFile, { binary })).stop()
    if (settings.cpuProfDir) mkdirSync(settings.cpuProfDir, { recursive: true })
    const bunFlags = [...(settings.bunFlags ?? []), ...(settings.cpuProfDir ? ['--cpu-prof-md', `--cpu-prof-dir=${settings.cpuProfDir}`] : [])]
    const modelmux = await startModelmux(dataDir, configFile, { bunFlags, binary })
    children.push(modelmux)
    settings.log(`fake upstream pid ${fake.pid} at ${fake.url}; modelmux pid ${modelmux.pid} at ${modelmux.url}`)
    const bare = settings.reference ? await startBareProxy(fake.url) : undefined
    if (bare) children.push(bare)
    const load = await measureLoad(settings, { fake, modelmux, bare }, selected)
    const internalErrors = modelmux.output().match(/internal error|unhandled error/g)
    if (internalErrors) settings.log(`modelmux logged ${internalErrors.length} internal errors:\n${modelmux.output().slice(-2000)}`)
    await Promise.all([modelmux.stop(), bare?.stop()])
    // The floor is compiled and measured after modelmux has stopped, so the two never share the machine.
    if (settings.reference && binary) {
      const floorBinary = await buildTarget(hostTarget(), join(workDir, 'floor'), 'bench/floor-server.ts')
      load.memory.floor = await measureFloor(settings, floorBinary, settings.warmupMs * selected.length)
    }
    let coldStart: ColdStartResult | undefined
    if (settings.coldStarts > 0) {
      coldStart = await measureColdStart(workDir, configFile, settings.coldStarts, binary)
      settings.log(`cold start medians: first-ever ${coldStart.firstStartMedianMs.toFixed(1)} ms, restart ${coldStart.restartMedianMs.toFixed(1)} ms`)
    }
    return { ...load, coldStart }
  } finally {
    await stopAll()
    process.off('SIGINT', onSignal)
    rmSync(workDir, { recursive: true, force: true })
  }
}
