import type { Subprocess } from 'bun'
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { binaryName, buildTarget, type TargetName } from '../../build'

/** True in CI (`CI=true` or `CI=1`), where missing test prerequisites fail instead of skipping. */
export const isCI = /^(1|true)$/i.test(process.env.CI ?? '')

/** The repository root. */
export const root = join(import.meta.dir, '../..')
const cacheDir = join(root, '.tmp/packaging', `bun-${Bun.version}`)
/** Everything a binary is built from; a cached binary older than any of these is rebuilt. */
const inputs = ['src', 'views', 'static', 'build.ts', 'package.json', 'bun.lock']
const builds = new Map<TargetName, Promise<string>>()

function newestInput(): number {
  let newest = 0
  for (const input of inputs) {
    const path = join(root, input)
    const stat = statSync(path, { throwIfNoEntry: false })
    if (!stat) continue
    const files = stat.isDirectory() ? readdirSync(path, { recursive: true, encoding: 'utf8' }).map((f) => join(path, f)) : [path]
    for (const file of files) newest = Math.max(newest, statSync(file).mtimeMs)
  }
  return newest
}

async function build(target: TargetName): Promise<string> {
  const cached = join(cacheDir, binaryName(target))
  const stat = statSync(cached, { throwIfNoEntry: false })
  const newest = newestInput()
  // In CI always build: a green run must never rest on a binary left over from earlier work.
  if (!isCI && stat && stat.mtimeMs >= newest) return cached
  mkdirSync(cacheDir, { recursive: true })
  const staging = mkdtempSync(join(cacheDir, 'build-'))
  try {
    const built = await buildTarget(target, staging)
    // Stamp it with the newest input seen before building, so an edit made during the build still counts.
    utimesSync(built, Date.now() / 1000, newest / 1000)
    renameSync(built, cached)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  return cached
}

/** The compiled binary for a target, built once per test run (reused across runs when up to date, except in CI). */
export function packagedBinary(target: TargetName): Promise<string> {
  let built = builds.get(target)
  if (!built) builds.set(target, (built = build(target)))
  return built
}

/** A temp dir removed on dispose. */
export function tempDir(prefix: string): AsyncDisposable & { path: string } {
  const path = mkdtempSync(join(tmpdir(), `modelmux-${prefix}-`))
  return { path, [Symbol.asyncDispose]: async () => rmSync(path, { recursive: true, force: true }) }
}

/** A started modelmux process; disposing kills it and waits for it to exit. */
export interface Started extends AsyncDisposable {
  url: string
  proc: Subprocess
  output(): string
}

async function drain(stream: ReadableStream<Uint8Array>, sink: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder()
  for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }))
}

interface StartOptions {
  env: Record<string, string>
  cwd?: string
  /** How long to wait for the `listening on` line (default 15 s). */
  timeoutMs?: number
  /** The signal that stops it (default SIGTERM); SIGKILL follows after 5 s regardless. */
  killSignal?: NodeJS.Signals
}

/** Spawns `cmd` with exactly `env` and waits for its `listening on <url>` line. */
export async function startBinary(cmd: string[], options: StartOptions): Promise<Started> {
  const proc = Bun.spawn(cmd, { env: options.env, cwd: options.cwd, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  let output = ''
  void drain(proc.stdout, (text) => (output += text))
  void drain(proc.stderr, (text) => (output += text))
  const started: Started = {
    url: '',
    proc,
    output: () => output,
    async [Symbol.asyncDispose]() {
      proc.kill(options.killSignal ?? 'SIGTERM')
      const escalate = setTimeout(() => proc.kill('SIGKILL'), 5_000)
      await proc.exited
      clearTimeout(escalate)
    },
  }
  const deadline = Date.now() + (options.timeoutMs ?? 15_000)
  while (Date.now() < deadline) {
    const match = /listening on (http:\/\/\S+)/.exec(output)
    if (match) return Object.assign(started, { url: match[1] })
    if (proc.exitCode !== null || proc.signalCode !== null) break
    await Bun.sleep(50) // polling for readiness, bounded by the deadline
  }
  await started[Symbol.asyncDispose]()
  throw new Error(`${cmd.join(' ')} did not report "listening on" (exit ${proc.exitCode}); output:\n${output}`)
}

/** GETs `path` and returns status, content type and body text. */
export async function get(url: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(url + path, { signal: AbortSignal.timeout(10_000) })
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() }
}
