/**
 * `modelmux login`: log in to a subscription provider from a terminal, without the server running.
 * Browser logins print the URL and wait for the redirect on a local port, or for the callback URL
 * pasted back (a headless machine over SSH); device logins print the code and poll. The account is
 * saved as a connection (tokens encrypted at rest); a running server picks it up within a minute.
 * @module
 */
import { createInterface } from 'node:readline'
import { ConfigError, readRuntimeConfig } from '../config/env'
import { startCallbackListener } from '../oauth/callback-listener'
import type { OAuthOverrides } from '../oauth/endpoints'
import { OAuthError } from '../oauth/http'
import { createOAuthService, type OAuthService } from '../oauth/service'
import { subscriptionProviders } from '../providers/subscription'
import { openStore } from '../server'
import { listConnections, type Connection } from '../store/connections'
import { getSetting } from '../store/settings'
import { flagsToEnv } from './args'

/** Where the command reads and writes (injected by tests). */
export interface LoginIo {
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown }
  /** Resolves with the next line the user types (a pasted callback URL or code); never resolves if there is no input. */
  readLine?: () => Promise<string>
  /** Stops waiting for input. */
  closeInput?: () => void
  fetch?: typeof fetch
  now?: () => number
  /** Pause between device-code polls (tests shorten it); default: the provider's interval. */
  sleep?: (ms: number) => Promise<void>
}

const flowLabel: Record<string, string> = {
  'authorization-code': 'browser login',
  'device-code': 'device code',
  import: 'refresh-token import (--refresh-token)',
}

/** `modelmux login --help`: the providers by id and alias, and how each logs in. */
export function loginHelp(): string {
  const rows = subscriptionProviders.map(({ definition, oauth }) => {
    const flows = oauth.flows.map((flow) => flowLabel[flow]).join(', ')
    const fixed = oauth.redirect?.port ? ` (redirect to localhost:${oauth.redirect.port})` : ''
    return `  ${definition.id.padEnd(16)}${definition.aliases.join(', ').padEnd(14)}${flows}${fixed}`
  })
  return `Usage: modelmux login <provider> [options]

Logs in to a subscription and saves it as a connection (several accounts per provider: log in again
with another account). Works over SSH: open the printed URL on any machine, then paste the address
the browser ends on back here.

Providers (id, alias, login):
${rows.join('\n')}

Options:
  --name NAME            connection name (default <alias>-<account>); an existing name is re-logged in
  --refresh-token TOKEN  import a refresh token instead of logging in (kiro)
  --no-listen            do not wait for the browser redirect on a local port; only accept a pasted URL
  --data-dir DIR         where the database lives (DATA_DIR, ~/.modelmux)
  --config FILE          config file (MODELMUX_CONFIG)

Endpoints can be redirected (tests, mirrors) with settings.oauth.<provider>.<endpoint> or
MODELMUX_OAUTH_<PROVIDER>_<ENDPOINT> / MODELMUX_OAUTH_ORIGIN.
`
}

interface LoginArgs {
  provider?: string
  help: boolean
  name?: string
  refreshToken?: string
  listen: boolean
  flags: Record<string, string>
}

function parseLoginArgs(argv: readonly string[]): LoginArgs {
  const args: LoginArgs = { help: false, listen: true, flags: {} }
  const valueFlags = new Set(['name', 'refresh-token', 'data-dir', 'config'])
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('-')) {
      if (args.provider) throw new ConfigError(`login: unexpected argument "${arg}"`)
      args.provider = arg
      continue
    }
    const [name, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2)
    if (name === 'help' || name === 'h') args.help = true
    else if (name === 'no-listen') args.listen = false
    else if (valueFlags.has(name)) {
      const value = inline ?? argv[++i]
      if (!value) throw new ConfigError(`--${name}: needs a value`)
      if (name === 'name') args.name = value
      else if (name === 'refresh-token') args.refreshToken = value
      else args.flags[name] = value
    } else throw new ConfigError(`login: unknown option ${arg} (see modelmux login --help)`)
  }
  return args
}

/** Reads lines from the terminal on demand. */
function terminalInput(): Pick<LoginIo, 'readLine' | 'closeInput'> {
  let lines: ReturnType<typeof createInterface> | undefined
  const waiting: ((line: string) => void)[] = []
  return {
    readLine() {
      lines ??= createInterface({ input: process.stdin, terminal: false }).on('line', (line) => waiting.shift()?.(line))
      return new Promise((resolve) => waiting.push(resolve))
    },
    closeInput() {
      lines?.close()
      process.stdin.pause()
    },
  }
}

/** Waits for a non-empty pasted line. */
async function nextPaste(io: LoginIo): Promise<string> {
  if (!io.readLine) return new Promise(() => {})
  for (;;) {
    const line = (await io.readLine()).trim()
    if (line) return line
  }
}

async function browserLogin(service: OAuthService, providerId: string, args: LoginArgs, io: LoginIo): Promise<Connection> {
  const provider = service.provider(providerId)
  const redirect = provider.oauth.redirect ?? { path: '/callback' }
  const listener = args.listen ? startCallbackListener({ port: redirect.port, path: redirect.path }) : undefined
  const redirectUri = listener?.redirectUri ?? `http://localhost:${redirect.port ?? 1}${redirect.path}`
  const started = service.beginAuthorization(providerId, { redirectUri })
  io.stdout.write(`Open this URL in a browser and log in to ${provider.definition.name}:\n\n  ${started.authUrl}\n\n`)
  if (listener) io.stdout.write(`Waiting for the browser to come back to ${redirectUri} …\n`)
  else if (args.listen && redirect.port) io.stdout.write(`Port ${redirect.port} is busy, so the redirect cannot be caught here.\n`)
  io.stdout.write('Browser on another machine? After logging in it shows an error page: copy that page\'s full address (or the code shown) and paste it here.\n')
  try {
    const pasted = nextPaste(io).then((code) => ({ code, state: undefined as string | undefined }))
    const received = await (listener ? Promise.race([listener.result, pasted]) : pasted)
    return await service.completeAuthorization(providerId, { code: received.code, state: received.state ?? started.state, name: args.name })
  } finally {
    listener?.close()
  }
}

async function deviceLogin(service: OAuthService, providerId: string, args: LoginArgs, io: LoginIo): Promise<Connection> {
  const provider = service.provider(providerId)
  const device = await service.beginDeviceLogin(providerId)
  io.stdout.write(`To log in to ${provider.definition.name}, open\n\n  ${device.verificationUriComplete ?? device.verificationUri}\n\nand enter the code:  ${device.userCode}\n\nWaiting for you to approve …\n`)
  const sleep = io.sleep ?? ((ms: number) => Bun.sleep(ms))
  const now = io.now ?? Date.now
  const deadline = now() + device.expiresIn * 1000
  let interval = device.interval * 1000
  while (now() < deadline) {
    await sleep(interval)
    const result = await service.pollDeviceLogin(providerId, { deviceCode: device.deviceCode, codeVerifier: device.codeVerifier, extra: device.extra, name: args.name })
    if (!result.pending) return result.connection
    if (result.slowDown) interval += 5_000
  }
  throw new OAuthError('the device code expired before the login was approved; run the command again', true)
}

/** Runs `modelmux login …`; returns the exit code. */
export async function runLogin(argv: readonly string[], env: Record<string, string | undefined>, io: LoginIo = { stdout: process.stdout, stderr: process.stderr, ...terminalInput() }): Promise<number> {
  let args: LoginArgs
  try {
    args = parseLoginArgs(argv)
  } catch (error) {
    io.stderr.write(`modelmux: ${(error as Error).message}\n`)
    return 2
  }
  if (args.help || !args.provider) {
    io.stdout.write(loginHelp())
    return args.help ? 0 : 2
  }
  const provider = subscriptionProviders.find((p) => p.definition.id === args.provider || p.definition.aliases.includes(args.provider!))
  if (!provider) {
    io.stderr.write(`modelmux: unknown provider "${args.provider}" (see modelmux login --help)\n`)
    return 2
  }
  let store: ReturnType<typeof openStore>
  try {
    const runtime = readRuntimeConfig(flagsToEnv(args.flags, env))
    store = openStore(runtime)
  } catch (error) {
    io.stderr.write(`modelmux: ${(error as Error).message}\n`)
    return 2
  }
  const { db, encryptionKey } = store
  const now = io.now ?? Date.now
  const service = createOAuthService({
    db,
    encryptionKey,
    fetch: io.fetch ?? fetch,
    now,
    env,
    overrides: () => (getSetting<{ oauth?: OAuthOverrides }>(db, 'settings') ?? {}).oauth,
    connections: () => listConnections(db, encryptionKey),
    reload: () => {},
  })
  try {
    const id = provider.definition.id
    let connection: Connection
    if (args.refreshToken) connection = await service.importRefreshToken(id, { refreshToken: args.refreshToken, name: args.name })
    else if (provider.oauth.flows.includes('authorization-code')) connection = await browserLogin(service, id, args, io)
    else if (provider.oauth.flows.includes('device-code')) connection = await deviceLogin(service, id, args, io)
    else throw new OAuthError(`${provider.definition.name} needs --refresh-token`, true)
    const tokens = service.tokensOf(connection)
    const who = tokens?.email ?? tokens?.accountId
    const alias = provider.definition.aliases[0] ?? id
    io.stdout.write(`\nSaved connection "${connection.name}"${who ? ` (${who})` : ''}. Use it as ${alias}/<model>, e.g. ${alias}/${provider.definition.models?.[0]?.id ?? 'model'}.\n`)
    io.stdout.write('A running modelmux picks the new account up within a minute.\n')
    return 0
  } catch (error) {
    io.stderr.write(`modelmux: login failed: ${(error as Error).message}\n`)
    return 1
  } finally {
    io.closeInput?.()
    db.close()
  }
}
