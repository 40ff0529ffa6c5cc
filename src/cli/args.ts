import { ConfigError } from '../config/env'

/** Parsed command line: a command path, flags and the env they override. */
export interface ParsedArgs {
  command: string[]
  flags: Record<string, string | true>
}

const valueFlags = new Set(['config', 'port', 'host', 'hostname', 'data-dir', 'name', 'password', 'tls-cert', 'tls-key'])
const booleanFlags = new Set(['help', 'version', 'h', 'v', 'dry-run'])

/** Splits argv into positional command words and `--flag value` / `--flag=value` pairs. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const command: string[] = []
  const flags: Record<string, string | true> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('-')) {
      command.push(arg)
      continue
    }
    const [rawName, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2)
    if (booleanFlags.has(rawName)) {
      flags[rawName === 'h' ? 'help' : rawName === 'v' ? 'version' : rawName] = true
    } else if (valueFlags.has(rawName)) {
      const value = inline ?? argv[++i]
      if (value === undefined || value === '') throw new ConfigError(`--${rawName}: needs a value`)
      flags[rawName] = value
    } else {
      throw new ConfigError(`unknown option ${arg} (see modelmux --help)`)
    }
  }
  return { command, flags }
}

/** Applies flags that mirror env variables (flags win). */
export function flagsToEnv(flags: ParsedArgs['flags'], env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env }
  if (typeof flags.config === 'string') out.MODELMUX_CONFIG = flags.config
  if (typeof flags.port === 'string') out.PORT = flags.port
  const host = flags.host ?? flags.hostname
  if (typeof host === 'string') out.HOSTNAME = host
  if (typeof flags['data-dir'] === 'string') out.DATA_DIR = flags['data-dir']
  if (typeof flags['tls-cert'] === 'string') out.TLS_CERT_FILE = flags['tls-cert']
  if (typeof flags['tls-key'] === 'string') out.TLS_KEY_FILE = flags['tls-key']
  return out
}
