/**
 * Child processes the bench starts (fake upstream, modelmux) and the memory they use.
 * Every child is started here and stopped by its own pid, never by name.
 * @module
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Subprocess } from 'bun'

/** The repository root (the folder above bench/). */
export const repoRoot = join(import.meta.dir, '..')

/** A started child that printed its ready line. */
export interface Child {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  pid: number
  /** The URL parsed from the ready line. */
  url: string
  /** Milliseconds from spawn to the ready line. */
  readyMs: number
  /** The last few KB the child wrote to stdout and stderr (for error reports). */
  output(): string
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>
}

/** What to start and how to know it is ready. */
export interface SpawnOptions {
  name: string
  cmd: string[]
  env?: Record<string, string>
  /** A pattern for the ready line; its first group is the URL. */
  ready: RegExp
  timeoutMs?: number
  /** Time origin for `readyMs` (defaults to just before spawning). */
  startedAt?: number
}

const keepChars = 8192

/** Spawns a child and resolves once its stdout matches `ready`; rejects with its output if it exits or times out first. */
export async function spawnChild(options: SpawnOptions): Promise<Child> {
  const startedAt = options.startedAt ?? performance.now()
  const proc = Bun.spawn({
    cmd: options.cmd,
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let log = ''
  const append = (text: string) => {
    log = (log + text).slice(-keepChars)
  }
  const ready = Promise.withResolvers<{ url: string; at: number }>()
  void drain(proc.stdout, (text) => {
    append(text)
    const match = options.ready.exec(log)
    if (match) ready.resolve({ url: match[1], at: performance.now() })
  })
  void drain(proc.stderr, append)
  const stop = async (graceMs = 3000) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs)
    await proc.exited
    clearTimeout(timer)
  }
  const timeoutMs = options.timeoutMs ?? 20_000
  const timeout = setTimeout(() => ready.reject(new Error(`${options.name} printed no ready line within ${timeoutMs} ms`)), timeoutMs)
  void proc.exited.then((code) => ready.reject(new Error(`${options.name} exited with code ${code} before it was ready`)))
  try {
    const { url, at } = await ready.promise
    return { proc, pid: proc.pid, url, readyMs: at - startedAt, output: () => log, stop }
  } catch (error) {
    await stop(500)
    throw new Error(`${(error as Error).message}\n--- ${options.name} output ---\n${log.trim()}`)
  } finally {
    clearTimeout(timeout)
  }
}

async function drain(stream: ReadableStream<Uint8Array>, onText: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder()
  try {
    for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }))
  } catch {
    // The child went away; its output so far is kept.
  }
}

/** Starts the fake upstream process (`bench/fake-upstream.ts`). */
export function startFakeUpstream(): Promise<Child> {
  return spawnChild({
    name: 'fake upstream',
    cmd: [process.execPath, join(import.meta.dir, 'fake-upstream.ts')],
    ready: /fake upstream listening on (http:\/\/\S+)\n/,
  })
}

/** Starts the reference bare proxy (`bench/bare-proxy.ts`) in front of the fake upstream. */
export function startBareProxy(upstreamUrl: string): Promise<Child> {
  return spawnChild({
    name: 'bare proxy',
    cmd: [process.execPath, join(import.meta.dir, 'bare-proxy.ts')],
    env: { UPSTREAM: upstreamUrl },
    ready: /bare proxy listening on (http:\/\/\S+)\n/,
  })
}

/** Starts the compiled floor server (`bench/floor-server.ts`), the least memory a Bun server holds. */
export function startFloorServer(binary: string): Promise<Child> {
  return spawnChild({ name: 'floor server', cmd: [binary], ready: /floor server listening on (http:\/\/\S+)\n/ })
}

/**
 * Starts modelmux on a free port: the compiled executable when `binary` is given (what users ship), else
 * from source (`bun run src/main.ts`, with `bunFlags` such as `--cpu-prof-md` before `run`).
 */
export function startModelmux(dataDir: string, configFile: string, options: { startedAt?: number; bunFlags?: string[]; binary?: string } = {}): Promise<Child> {
  return spawnChild({
    name: 'modelmux',
    cmd: options.binary ? [options.binary] : [process.execPath, ...(options.bunFlags ?? []), 'run', 'src/main.ts'],
    env: { PORT: '0', HOSTNAME: '127.0.0.1', DATA_DIR: dataDir, INITIAL_PASSWORD: 'benchpass1', MODELMUX_CONFIG: configFile },
    ready: /listening on (http:\/\/\S+)\n/,
    startedAt: options.startedAt,
  })
}

/**
 * Resident and peak-resident memory of a process in MB, from `/proc/<pid>/status` (null once it is gone).
 * `anonMb` is the part of RSS the process allocated; the rest is mapped files, mostly the executable's own code.
 */
export function readMemory(pid: number): { rssMb: number; hwmMb: number; anonMb: number } | null {
  let status: string
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return null
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024 }
}

/** User + system CPU time a process has used so far, in ms, from `/proc/<pid>/stat` (10 ms resolution; NaN once it is gone). */
export function readCpuMs(pid: number): number {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return NaN
  }
  // Fields after "(comm)": state is field 3, utime 14 and stime 15, in clock ticks (USER_HZ = 100 on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** Busy (non-idle) CPU time of the whole machine so far, in ms summed over cores, from `/proc/stat`. */
export function readMachineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]
  // cpu  user nice system idle iowait irq softirq steal ...
  const ticks = line.trim().split(/\s+/).slice(1).map(Number)
  const idle = ticks[3] + (ticks[4] ?? 0)
  return (ticks.reduce((sum, tick) => sum + tick, 0) - idle) * 10
}

/** This (bench) process's user + system CPU time so far, in ms. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

/** Samples a process's RSS every `everyMs` until stopped; keeps the peak (and its anonymous part) and the sample count. */
export class RssSampler {
  peakMb = 0
  peakAnonMb = 0
  samples = 0
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly pid: number,
    private readonly everyMs = 50,
  ) {}

  /** Starts (or restarts) sampling; the peak carries over. */
  start(): void {
    this.sample()
    this.timer ??= setInterval(() => this.sample(), this.everyMs)
  }

  /** Stops sampling after one last sample; returns the peak so far. */
  stop(): number {
    this.sample()
    clearInterval(this.timer)
    this.timer = undefined
    return this.peakMb
  }

  private sample(): void {
    const memory = readMemory(this.pid)
    if (!memory) return
    this.samples++
    if (memory.rssMb <= this.peakMb) return
    this.peakMb = memory.rssMb
    this.peakAnonMb = memory.anonMb
  }
}
