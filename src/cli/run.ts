import { ConfigError, readRuntimeConfig } from '../config/env'
import { generateApiKey, generatePassword } from '../services/crypto'
import { setPassword } from '../services/password'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openStore, startServer } from '../server'
import { listApiKeys, saveApiKey } from '../store/api-keys'
import { VERSION } from '../version'
import { flagsToEnv, parseArgs } from './args'
import { runLogin } from './login'
import { runService } from './service'
import { homedir } from 'node:os'

const HELP = `modelmux ${VERSION} — one local endpoint for every AI coding tool and provider

Usage:
  modelmux [options]                  start the server (default http://127.0.0.1:20128)
  modelmux login <provider>           log in to a subscription (modelmux login --help lists them)
  modelmux keys create --name NAME    create a client API key and print it once
  modelmux keys list                  list client API keys (names and hints only)
  modelmux password reset [--password P]
                                      set a new dashboard password (random unless given) and print it
  modelmux health                     exit 0 when the server on --port/--host answers, else 1
                                      (for container health checks)
  modelmux config export              print the configuration as a config file, without secrets
  modelmux import 9router [FILE] [--dry-run]
                                      bring over 9router's connections, combos, aliases and client keys
                                      (FILE: its db.json, ~/.9router/db.json by default)
  modelmux service install|uninstall|status
                                      run in the background, started at login (systemd user unit
                                      on Linux, launchd agent on macOS), with the options given now
  modelmux --version                  print the version
  modelmux --help                     print this help

Options (each mirrors an environment variable):
  --config FILE     apply a JSON config file at start        MODELMUX_CONFIG
  --port N          port to listen on (20128)                PORT
  --host ADDR       address to bind (127.0.0.1)              HOSTNAME
  --data-dir DIR    where the database and secrets live      DATA_DIR (~/.modelmux)
  --tls-cert FILE   serve HTTPS with this PEM certificate    TLS_CERT_FILE
  --tls-key FILE    and this PEM private key                 TLS_KEY_FILE

Other environment: INITIAL_PASSWORD, JWT_SECRET, MODELMUX_ENCRYPTION_KEY, REQUIRE_API_KEY,
ENABLE_REQUEST_LOGS, AUTH_COOKIE_SECURE, HTTP_PROXY/HTTPS_PROXY/ALL_PROXY/NO_PROXY,
SHUTDOWN_GRACE_MS (8000: on SIGTERM or Ctrl-C, requests in progress get this long to finish).
`

/** Runs the command line; returns the exit code. */
export async function runCli(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  // `login` has flags of its own, so it is dispatched before the general parser.
  if (argv[0] === 'login') return runLogin(argv.slice(1), env)
  try {
    const { command, flags } = parseArgs(argv)
    if (flags.help) {
      process.stdout.write(HELP)
      return 0
    }
    if (flags.version) {
      process.stdout.write(`modelmux ${VERSION}\n`)
      return 0
    }
    const runtime = readRuntimeConfig(flagsToEnv(flags, env))
    const [verb, action] = command
    if (verb === undefined || verb === 'serve' || verb === 'start') return await serve(runtime)
    if (verb === 'keys' && action === 'create') {
      if (typeof flags.name !== 'string') throw new ConfigError('keys create: --name is required')
      if (runtime.configFile) (await import('../config/file')).loadConfigFile(runtime.configFile)
      const { db } = openStore(runtime)
      if (listApiKeys(db).some((key) => key.name === flags.name)) throw new ConfigError(`keys create: a key named "${flags.name}" exists`)
      const key = generateApiKey()
      saveApiKey(db, flags.name, key, Date.now())
      db.close()
      process.stdout.write(`${key}\n`)
      process.stderr.write(`Created client key "${flags.name}". It is shown only this once; store it now.\n`)
      return 0
    }
    if (verb === 'keys' && action === 'list') {
      const { db } = openStore(runtime)
      for (const key of listApiKeys(db)) process.stdout.write(`${key.name}\t${key.keyHint}\t${key.enabled ? 'enabled' : 'disabled'}\n`)
      db.close()
      return 0
    }
    if (verb === 'password' && action === 'reset') {
      const password = typeof flags.password === 'string' ? flags.password : generatePassword()
      if (password.length < 8) throw new ConfigError('password reset: --password must be at least 8 characters')
      const { db } = openStore(runtime)
      await setPassword(db, password)
      db.close()
      process.stdout.write(`New dashboard password: ${password}\n`)
      process.stderr.write('Every signed-in dashboard session was signed out. Restart a running server to be sure it sees the change.\n')
      return 0
    }
    if (verb === 'health') return await checkHealth(runtime)
    if (verb === 'service') {
      const out = (line: string) => process.stdout.write(`${line}\n`)
      return runService(action, runtime, { os: process.platform, home: env.HOME ?? homedir(), env, execPath: process.execPath, entry: Bun.main, path: env.PATH, out })
    }
    if (verb === 'import' && action === '9router') return await importFrom9router(runtime, command[2] ?? join(homedir(), '.9router', 'db.json'), flags['dry-run'] === true)
    if (verb === 'config' && action === 'export') {
      const { db, encryptionKey } = openStore(runtime)
      try {
        const { exportConfig } = await import('../services/config-export')
        const { config, omitted } = exportConfig(db, encryptionKey)
        process.stdout.write(`${JSON.stringify(config, null, 2)}\n`)
        if (omitted.length > 0) process.stderr.write(`Left out (secrets): ${omitted.join('; ')}.\n`)
      } finally {
        db.close()
      }
      return 0
    }
    throw new ConfigError(`unknown command "${command.join(' ')}" (see modelmux --help)`)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`modelmux: ${error.message}\n`)
      return 2
    }
    throw error
  }
}

/** `import 9router`: reads its db.json, applies what modelmux can take (or only says what it would, with `dryRun`), and lists what it could not. */
async function importFrom9router(runtime: ReturnType<typeof readRuntimeConfig>, file: string, dryRun: boolean): Promise<number> {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new ConfigError(`import 9router: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  const { import9router } = await import('../services/import-9router')
  const { db, encryptionKey } = openStore(runtime)
  try {
    const { summary, notes } = import9router(db, encryptionKey, parsed, { dryRun, now: Date.now() })
    process.stdout.write(`${summary.replace(/^(Would import|Imported)/, `$1 from ${file}:`)}.\n`)
    for (const note of notes) process.stdout.write(`- ${note}\n`)
    if (!dryRun) process.stdout.write('Restart a running modelmux to pick the changes up.\n')
    return 0
  } catch (error) {
    throw new ConfigError(`import 9router: ${file}: ${(error as Error).message}`)
  } finally {
    db.close()
  }
}

/** Asks a running server's `/healthz` (on its port; a wildcard bind is reached on loopback); 0 when it answers ok. */
async function checkHealth(runtime: ReturnType<typeof readRuntimeConfig>): Promise<number> {
  const wildcard = runtime.hostname === '0.0.0.0' || runtime.hostname === '::' || runtime.hostname === ''
  const host = wildcard ? '127.0.0.1' : runtime.hostname.includes(':') ? `[${runtime.hostname}]` : runtime.hostname
  const url = `${runtime.tls ? 'https' : 'http'}://${host}:${runtime.port}/healthz`
  try {
    // Over HTTPS the certificate names the public host, not the loopback address asked here: it is not checked.
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000), ...(runtime.tls ? { tls: { rejectUnauthorized: false } } : {}) })
    const body = (await response.json().catch(() => ({}))) as { status?: string }
    if (response.ok && body.status === 'ok') {
      process.stdout.write(`ok: ${url}\n`)
      return 0
    }
    process.stderr.write(`modelmux: ${url} answered ${response.status}${body.status ? ` (${body.status})` : ''}\n`)
  } catch (error) {
    process.stderr.write(`modelmux: no answer from ${url}: ${(error as Error).message}\n`)
  }
  return 1
}

async function serve(runtime: ReturnType<typeof readRuntimeConfig>): Promise<number> {
  const server = await startServer(runtime)
  // One write, so the banner (and the one-time password) reaches a reader in one piece.
  let banner = `modelmux ${VERSION} listening on ${server.url}\nDashboard: ${server.url}/dashboard   API: ${server.url}/v1\n`
  if (server.generatedPassword) {
    banner += `First start: your dashboard password is ${server.generatedPassword}\n`
    banner += 'It is shown only this once (change it with: modelmux password reset).\n'
  }
  process.stdout.write(banner)
  // First signal: finish what is in progress (up to the grace); a second one ends it at once.
  let signalled = false
  const shutdown = async () => {
    if (signalled) return void server.stop()
    signalled = true
    const inFlight = server.inFlight()
    if (inFlight > 0 && runtime.shutdownGraceMs > 0) {
      const seconds = Math.ceil(runtime.shutdownGraceMs / 1000)
      process.stderr.write(`modelmux: stopping; letting ${inFlight} request${inFlight === 1 ? '' : 's'} in progress finish (up to ${seconds} s, Ctrl-C again to end them now)\n`)
    }
    await server.stop({ graceMs: runtime.shutdownGraceMs })
    process.exit(0)
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  await new Promise(() => {})
  return 0
}
