import { homedir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((value) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(value), {
    message: 'expected true or false',
  })
  .transform((value) => ['1', 'true', 'yes', 'on'].includes(value))

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(20128),
  HOSTNAME: z.string().trim().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1).optional(),
  INITIAL_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  MODELMUX_ENCRYPTION_KEY: z
    .string()
    .trim()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes in base64')
    .optional(),
  REQUIRE_API_KEY: flag.optional(),
  ENABLE_REQUEST_LOGS: flag.optional(),
  AUTH_COOKIE_SECURE: flag.optional(),
  MODELMUX_CONFIG: z.string().trim().min(1).optional(),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(8000),
  TLS_CERT_FILE: z.string().trim().min(1).optional(),
  TLS_KEY_FILE: z.string().trim().min(1).optional(),
})

/** Process-level settings read from the environment (and mirrored CLI flags). */
export interface RuntimeConfig {
  port: number
  hostname: string
  dataDir: string
  initialPassword?: string
  jwtSecret?: string
  encryptionKey?: Buffer
  requireApiKey?: boolean
  enableRequestLogs?: boolean
  authCookieSecure: boolean
  configFile?: string
  /** On SIGTERM or Ctrl-C, how long requests in progress may still finish before they end with a shutdown error. */
  shutdownGraceMs: number
  /** PEM files to serve HTTPS with (both or neither). */
  tls?: { certFile: string; keyFile: string }
}

/** Thrown for a bad env value or flag, or a start-up that cannot go on (data dir, database, port); its message is the one line printed before exiting. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Validates the environment; empty strings count as unset. */
export function readRuntimeConfig(env: Record<string, string | undefined>): RuntimeConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = envSchema.safeParse(present)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ConfigError(`${issue.path.join('.')}: ${issue.message}`)
  }
  const value = parsed.data
  if ((value.TLS_CERT_FILE === undefined) !== (value.TLS_KEY_FILE === undefined)) {
    throw new ConfigError(`${value.TLS_CERT_FILE === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'}: needed too, with ${value.TLS_CERT_FILE === undefined ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'} (HTTPS takes a certificate and its key)`)
  }
  const tls = value.TLS_CERT_FILE && value.TLS_KEY_FILE ? { certFile: value.TLS_CERT_FILE, keyFile: value.TLS_KEY_FILE } : undefined
  return {
    port: value.PORT,
    hostname: value.HOSTNAME,
    dataDir: value.DATA_DIR ?? join(homedir(), '.modelmux'),
    initialPassword: value.INITIAL_PASSWORD,
    jwtSecret: value.JWT_SECRET,
    encryptionKey: value.MODELMUX_ENCRYPTION_KEY ? Buffer.from(value.MODELMUX_ENCRYPTION_KEY, 'base64') : undefined,
    requireApiKey: value.REQUIRE_API_KEY,
    enableRequestLogs: value.ENABLE_REQUEST_LOGS,
    // Served over HTTPS, the session cookie is marked Secure unless told otherwise.
    authCookieSecure: value.AUTH_COOKIE_SECURE ?? tls !== undefined,
    configFile: value.MODELMUX_CONFIG,
    shutdownGraceMs: value.SHUTDOWN_GRACE_MS,
    tls,
  }
}

/** True for addresses only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '::1' || hostname === '[::1]' || hostname.startsWith('127.')
}

/** Whether a host name always means this machine: a loopback name or address, or `*.localhost` (which browsers resolve to loopback). */
export function isLocalHostname(hostname: string): boolean {
  return isLoopback(hostname) || hostname.endsWith('.localhost')
}
