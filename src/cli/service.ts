/**
 * `modelmux service install|uninstall|status`: runs modelmux as a per-user background service that starts at
 * login and restarts if it stops — a systemd user unit on Linux, a launchd agent on macOS — with the port, address,
 * data dir and config file it was installed with. No root needed; nothing outside the user's home is touched.
 * @see https://www.freedesktop.org/software/systemd/man/latest/systemd.service.html
 * @see https://developer.apple.com/library/archive/documentation/MacOSX/Conceptual/BPSystemStartup/Chapters/CreatingLaunchdJobs.html
 * @module
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { ConfigError, type RuntimeConfig } from '../config/env'

/** Where a service file lives and how the platform's service manager is told about it. */
interface Platform {
  file: string
  render(command: string[], env: Record<string, string>): string
  /** The manager's commands to start it now and at every login, and to stop and forget it. */
  enable: string[][]
  disable: string[][]
}

const LABEL = 'dev.modelmux'

/**
 * A systemd value: `%` doubled (systemd expands `%` specifiers), `$` doubled in command lines (`command`: it
 * expands variables there), and quoted when it holds anything but plain characters.
 */
function systemdWord(word: string, command = false): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, command ? '$$$$' : '$')
  return /^[\w@%+=:,./-]+$/.test(escaped) ? escaped : `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}
const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function platformFor(os: NodeJS.Platform, home: string): Platform {
  if (os === 'linux') {
    return {
      file: join(home, '.config', 'systemd', 'user', 'modelmux.service'),
      render: (command, env) =>
        [
          '[Unit]',
          'Description=modelmux, the local AI router',
          'After=network-online.target',
          '',
          '[Service]',
          `ExecStart=${command.map((word) => systemdWord(word, true)).join(' ')}`,
          ...Object.entries(env).map(([name, value]) => `Environment=${systemdWord(`${name}=${value}`)}`),
          'Restart=on-failure',
          'RestartSec=2',
          // SIGTERM lets requests in progress finish (SHUTDOWN_GRACE_MS) before systemd gives up waiting.
          'TimeoutStopSec=15',
          '',
          '[Install]',
          'WantedBy=default.target',
          '',
        ].join('\n'),
      enable: [['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', '--now', 'modelmux.service']],
      disable: [['systemctl', '--user', 'disable', '--now', 'modelmux.service']],
    }
  }
  if (os === 'darwin') {
    const file = join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`)
    return {
      file,
      render: (command, env) =>
        [
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
          '<plist version="1.0">',
          '<dict>',
          `  <key>Label</key><string>${LABEL}</string>`,
          '  <key>ProgramArguments</key>',
          '  <array>',
          ...command.map((word) => `    <string>${xml(word)}</string>`),
          '  </array>',
          '  <key>EnvironmentVariables</key>',
          '  <dict>',
          ...Object.entries(env).map(([name, value]) => `    <key>${xml(name)}</key><string>${xml(value)}</string>`),
          '  </dict>',
          '  <key>RunAtLoad</key><true/>',
          '  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>',
          `  <key>StandardOutPath</key><string>${xml(join(home, 'Library', 'Logs', 'modelmux.log'))}</string>`,
          `  <key>StandardErrorPath</key><string>${xml(join(home, 'Library', 'Logs', 'modelmux.log'))}</string>`,
          '</dict>',
          '</plist>',
          '',
        ].join('\n'),
      enable: [['launchctl', 'load', '-w', file]],
      disable: [['launchctl', 'unload', '-w', file]],
    }
  }
  throw new ConfigError(`service: not supported on ${os} (Linux uses a systemd user unit, macOS a launchd agent); start modelmux another way there`)
}

/** The command that starts this modelmux: the executable itself, or Bun running this checkout's entry file. */
export function startCommand(execPath: string, entry: string | undefined): string[] {
  const compiled = entry === undefined || entry.startsWith('/$bunfs/') || /^[A-Z]:\\~BUN\\/.test(entry)
  return compiled ? [execPath] : [execPath, 'run', resolve(entry)]
}

/** What the service runs with: the settings given now (flags or env), so it starts the way this command would. */
function serviceEnv(runtime: RuntimeConfig, env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = { PORT: String(runtime.port), HOSTNAME: runtime.hostname, DATA_DIR: resolve(runtime.dataDir) }
  if (runtime.configFile) out.MODELMUX_CONFIG = resolve(runtime.configFile)
  if (runtime.tls) Object.assign(out, { TLS_CERT_FILE: resolve(runtime.tls.certFile), TLS_KEY_FILE: resolve(runtime.tls.keyFile) })
  // The secrets given by environment go too (the file is the user's own, mode 0600): without the encryption key the
  // service would make a new one and could not read the stored upstream keys.
  for (const name of ['MODELMUX_ENCRYPTION_KEY', 'JWT_SECRET', 'REQUIRE_API_KEY', 'ENABLE_REQUEST_LOGS', 'AUTH_COOKIE_SECURE', 'SHUTDOWN_GRACE_MS', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY']) {
    if (env[name]) out[name] = env[name]!
  }
  return out
}

/** Runs the service manager's commands when it is on PATH; returns what it said, or why it could not. */
function runManager(commands: string[][], path: string | undefined): { ok: boolean; output: string } {
  for (const command of commands) {
    const binary = Bun.which(command[0], path === undefined ? undefined : { PATH: path })
    if (!binary) return { ok: false, output: `${command[0]} was not found` }
    const run = Bun.spawnSync([binary, ...command.slice(1)], { stderr: 'pipe', stdout: 'pipe' })
    if (run.exitCode !== 0) return { ok: false, output: `${command.join(' ')} failed: ${run.stderr.toString().trim() || `exit ${run.exitCode}`}` }
  }
  return { ok: true, output: '' }
}

/** What the service command needs from its surroundings (injected so tests use a temp home and no manager). */
export interface ServiceDeps {
  os: NodeJS.Platform
  home: string
  env: Record<string, string | undefined>
  execPath: string
  entry: string | undefined
  /** PATH to look the service manager up in. */
  path?: string
  out: (line: string) => void
}

/** `service install|uninstall|status`; returns the exit code. */
export function runService(action: string | undefined, runtime: RuntimeConfig, deps: ServiceDeps): number {
  const platform = platformFor(deps.os, deps.home)
  const manual = (commands: string[][]) => commands.map((command) => command.join(' ')).join(' && ')
  if (action === 'install') {
    mkdirSync(dirname(platform.file), { recursive: true })
    writeFileSync(platform.file, platform.render(startCommand(deps.execPath, deps.entry), serviceEnv(runtime, deps.env)), { mode: 0o600 })
    deps.out(`Wrote ${platform.file}`)
    const started = runManager(platform.enable, deps.path)
    deps.out(started.ok ? `modelmux now runs in the background and starts at every login (${runtime.tls ? 'https' : 'http'}://${runtime.hostname}:${runtime.port}).` : `Could not start it (${started.output}); start it with: ${manual(platform.enable)}`)
    return started.ok ? 0 : 1
  }
  if (action === 'uninstall') {
    if (!existsSync(platform.file)) {
      deps.out(`No service installed (${platform.file} does not exist).`)
      return 0
    }
    const stopped = runManager(platform.disable, deps.path)
    rmSync(platform.file)
    deps.out(stopped.ok ? `Stopped and removed ${platform.file}` : `Removed ${platform.file}; stop the running one with: ${manual(platform.disable)} (${stopped.output})`)
    return 0
  }
  if (action === 'status') {
    if (!existsSync(platform.file)) {
      deps.out('not installed')
      return 1
    }
    const exec = /^ExecStart=(.*)$/m.exec(readFileSync(platform.file, 'utf8'))?.[1]
    deps.out(`installed: ${platform.file}${exec ? ` (runs ${exec})` : ''}`)
    return 0
  }
  throw new ConfigError('service: use "modelmux service install", "uninstall" or "status"')
}
