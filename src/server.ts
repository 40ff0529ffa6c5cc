import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Server } from 'bun'
import { createApp } from './app'
import { ensureDataDir, loadOrCreateSecret } from './config/data-dir'
import { ConfigError, type RuntimeConfig } from './config/env'
import type { ConfigFile } from './config/file'
import { applyConfig } from './services/apply-config'
import type { AppContext } from './services/context'
import { oauthServiceFor } from './oauth'
import { startIdleCollector } from './services/idle-gc'
import { createHealthTracker, defaultHealthOptions, type HealthOptions } from './services/health'
import { ensurePassword } from './services/password'
import { loadRegistry } from './services/registry'
import { createRouter } from './services/routing'
import { createUpstreamQuirks } from './services/upstream-quirks'
import { startNotifier } from './services/notifier'
import { createUsageRecorder } from './services/usage-recorder'
import { startUsageRetention } from './services/usage-retention'
import { checkpoint, openDatabase, type Database } from './store/db'
import { migrate } from './store/migrate'
import { ShutdownSwitch } from './upstream/call-upstream'
import { VERSION } from './version'

/** The data directory's files: database and generated secrets. */
export const dataFiles = { database: 'modelmux.db', encryptionKey: 'encryption.key', jwtSecret: 'jwt.secret' }

/** Runs a start-up step; its failure (a file system or database error) becomes one line naming `what`. */
function startupStep<T>(what: string, step: () => T): T {
  try {
    return step()
  } catch (error) {
    throw new ConfigError(`${what}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Opens the store in the data dir: creates the dir (0700) and secrets (0600) on first start, migrates the schema. */
export function openStore(runtime: RuntimeConfig): { db: Database; encryptionKey: Buffer; jwtSecret: string } {
  const { encryptionKey, jwtSecret } = startupStep(`data dir ${runtime.dataDir}`, () => {
    ensureDataDir(runtime.dataDir)
    return {
      encryptionKey: runtime.encryptionKey ?? loadOrCreateSecret(runtime.dataDir, dataFiles.encryptionKey),
      jwtSecret: runtime.jwtSecret ?? loadOrCreateSecret(runtime.dataDir, dataFiles.jwtSecret).toString('base64'),
    }
  })
  const path = join(runtime.dataDir, dataFiles.database)
  const db = startupStep(`database ${path}`, () => openDatabase(path))
  startupStep(`database ${path}`, () => {
    try {
      migrate(db)
    } catch (error) {
      db.close()
      throw error
    }
  })
  return { db, encryptionKey, jwtSecret }
}

/** A running modelmux. */
export interface RunningServer {
  url: string
  port: number
  context: AppContext
  /** The password generated on first start (printed once), if any. */
  generatedPassword?: string
  /**
   * Stops: no new connections; requests in progress get `graceMs` (0 by default) to finish, then end with a
   * shutdown error in their own format (an in-band error on a stream). Called again while stopping, with no
   * grace, it skips what is left of the grace.
   */
  stop(options?: { graceMs?: number }): Promise<void>
  /** Requests in progress (streams count until their last byte). */
  inFlight(): number
  /** The account-problem notifier (tests run its check at once instead of waiting a minute). */
  notifier: { check(): Promise<number> }
}

/** A PEM file's text; a missing or unreadable file stops start-up with one line naming its variable. */
function readPem(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}

/** How long requests that shutdown ended get to send their error before the connections close. */
const LAST_WORDS_MS = 1000

/** Stops accepting and waits for the requests in progress: `graceMs` or until `hurry`, then ends them. */
async function drain(server: Server<unknown>, shutdown: ShutdownSwitch, graceMs: number, hurry: Promise<void>): Promise<void> {
  const drained = server.stop(false)
  if (server.pendingRequests === 0) return
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([drained, hurry, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))])
  clearTimeout(timer)
  if (server.pendingRequests === 0) return
  shutdown.trip()
  await Promise.race([drained, Bun.sleep(LAST_WORDS_MS)])
}

/** Validates config, opens the store, applies the config file and starts listening. */
export async function startServer(
  runtime: RuntimeConfig,
  options: { fetch?: typeof fetch; now?: () => number; health?: Partial<HealthOptions> } = {},
): Promise<RunningServer> {
  // Validate the config file before touching the data dir or database.
  // The config-file schemas (about 4 MB once built) are loaded only when there is a file to read.
  const config: ConfigFile | undefined = runtime.configFile ? (await import('./config/file')).loadConfigFile(runtime.configFile) : undefined
  const { db, encryptionKey, jwtSecret } = openStore(runtime)
  const now = options.now ?? Date.now
  if (config) applyConfig(db, encryptionKey, config, now())
  const generatedPassword = await ensurePassword(db, runtime.initialPassword)
  const usage = createUsageRecorder(db)
  // When traffic pauses: give memory back, and move the usage rows' WAL into the database file there
  // (its fsync) rather than in the middle of a burst.
  const idle = startIdleCollector({
    collect: () => {
      usage
        .flush()
        .then(() => checkpoint(db))
        .catch(() => {})
      Bun.gc(true)
    },
    // A stream still being relayed holds the deeper shrink back (pendingRequests counts it until its end).
    busy: () => (app.server?.pendingRequests ?? 0) > 0,
  })
  const context: AppContext = {
    db,
    runtime,
    encryptionKey,
    jwtSecret,
    registry: loadRegistry(db, encryptionKey),
    reload() {
      context.registry = loadRegistry(db, encryptionKey)
    },
    usage,
    health: createHealthTracker(now, Math.random, { ...defaultHealthOptions, ...options.health }),
    router: createRouter(),
    quirks: createUpstreamQuirks(),
    env: process.env,
    onActivity: idle.touch,
    shutdown: new ShutdownSwitch(),
    fetch: options.fetch ?? fetch,
    now,
    version: VERSION,
  }
  const retention = startUsageRetention(context)
  const notifier = startNotifier(context)
  const app = createApp(context)
  const stopOAuth = oauthServiceFor(context).startScheduler()
  const host = runtime.hostname.includes(':') ? `[${runtime.hostname}]` : runtime.hostname
  const stopJobs = async () => {
    idle.stop()
    stopOAuth()
    retention.stop()
    notifier.stop()
    await usage.close()
    db.close()
  }
  try {
    const tls = runtime.tls && { cert: readPem(runtime.tls.certFile, 'TLS_CERT_FILE'), key: readPem(runtime.tls.keyFile, 'TLS_KEY_FILE') }
    app.listen({
      port: runtime.port,
      hostname: runtime.hostname,
      ...(tls ? { tls } : {}),
      // A second modelmux on a port in use must fail, not share it unseen (Elysia asks for SO_REUSEPORT).
      reusePort: false,
      // Long non-streaming generations keep a connection quiet for minutes; upstream timeouts guard instead.
      idleTimeout: 0,
      maxRequestBodySize: Math.max(context.registry.maxBodyBytes * 2, 64 * 1024 * 1024),
    })
  } catch (error) {
    await stopJobs()
    if (error instanceof ConfigError) throw error
    throw new ConfigError(`cannot listen on ${host}:${runtime.port}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const server = app.server!
  let stopping: Promise<void> | undefined
  const hurry = Promise.withResolvers<void>()
  return {
    url: `${runtime.tls ? 'https' : 'http'}://${host}:${server.port}`,
    port: server.port!,
    context,
    generatedPassword,
    stop({ graceMs = 0 } = {}) {
      if (graceMs === 0) hurry.resolve()
      stopping ??= (async () => {
        await drain(server, context.shutdown!, graceMs, hurry.promise)
        await app.stop(true)
        await stopJobs()
      })()
      return stopping
    },
    inFlight: () => server.pendingRequests,
    notifier,
  }
}
