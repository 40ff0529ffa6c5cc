/**
 * Cold start: process spawn to the first `GET /v1/models` answered with 200, for a first-ever start
 * (empty data dir: secrets, schema, password hash, config) and a restart on the same data dir.
 * @module
 */
import { join } from 'node:path'
import { readMemory, startModelmux } from './processes'
import { median } from './stats'

/** Spawn-to-ready and spawn-to-served times of one start (ms). */
export interface StartTiming {
  /** Spawn to the "listening on" line. */
  listeningMs: number
  /** Spawn to the first successful `/v1/models` response. */
  servedMs: number
  /** modelmux's RSS right after that response (MB). */
  rssMb: number
}

/** Medians (and every run) for first starts and restarts. */
export interface ColdStartResult {
  runs: number
  firstStart: StartTiming[]
  restart: StartTiming[]
  firstStartMedianMs: number
  restartMedianMs: number
  firstStartListeningMedianMs: number
  restartListeningMedianMs: number
  firstStartRssMedianMb: number
  restartRssMedianMb: number
}

/** Starts modelmux once, times it to its first served `/v1/models`, stops it. */
async function timeOneStart(dataDir: string, configFile: string, binary?: string): Promise<StartTiming> {
  const startedAt = performance.now()
  const child = await startModelmux(dataDir, configFile, { startedAt, binary })
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(`${child.url}/v1/models`)
        const text = await response.text()
        if (response.status === 200) {
          const servedMs = performance.now() - startedAt
          return { listeningMs: child.readyMs, servedMs, rssMb: readMemory(child.pid)?.rssMb ?? NaN }
        }
        if (attempt >= 200) throw new Error(`GET /v1/models answered ${response.status}: ${text.slice(0, 200)}`)
      } catch (error) {
        if (attempt >= 200) throw error
      }
      await Bun.sleep(2)
    }
  } catch (error) {
    throw new Error(`cold start: ${(error as Error).message}\n--- modelmux output ---\n${child.output().trim()}`)
  } finally {
    await child.stop()
  }
}

/** Runs `runs` pairs of (first-ever start on a fresh data dir, restart on that dir). */
export async function measureColdStart(workDir: string, configFile: string, runs: number, binary?: string): Promise<ColdStartResult> {
  const firstStart: StartTiming[] = []
  const restart: StartTiming[] = []
  for (let run = 0; run < runs; run++) {
    const dataDir = join(workDir, `cold-${run}`)
    firstStart.push(await timeOneStart(dataDir, configFile, binary))
    restart.push(await timeOneStart(dataDir, configFile, binary))
  }
  return {
    runs,
    firstStart,
    restart,
    firstStartMedianMs: median(firstStart.map((t) => t.servedMs)),
    restartMedianMs: median(restart.map((t) => t.servedMs)),
    firstStartListeningMedianMs: median(firstStart.map((t) => t.listeningMs)),
    restartListeningMedianMs: median(restart.map((t) => t.listeningMs)),
    firstStartRssMedianMb: median(firstStart.map((t) => t.rssMb)),
    restartRssMedianMb: median(restart.map((t) => t.rssMb)),
  }
}
