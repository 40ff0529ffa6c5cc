import { isIP } from 'node:net'

/** Environment variables that configure outbound proxies (`HTTP_PROXY`… and their lowercase forms). */
export type ProxyEnv = Readonly<Record<string, string | undefined>>

/** A connection's own proxy setting: a proxy URL, or `direct` to bypass the environment's proxies. */
export type ConnectionProxy = string | null | undefined

const loopbackHosts = new Set(['localhost', '::1', '[::1]', '0.0.0.0'])

/** True for host names that never leave this machine (127.0.0.0/8, ::1, localhost and *.localhost). */
function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host) || host.startsWith('127.') || host.endsWith('.localhost')
}

/** An env value, uppercase first, then lowercase; empty counts as unset. */
function readEnv(env: ProxyEnv, name: string): string | undefined {
  const value = env[name] ?? env[name.toLowerCase()]
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}

/** Adds `http://` to a bare `host:port` proxy, as curl does. */
function normaliseProxy(value: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((total, part) => total * 256 + Number(part), 0)
}

/** True when an IPv4 address lies in a `a.b.c.d/n` range. */
function inCidr(address: string, cidr: string): boolean {
  const [range, bitsText] = cidr.split('/')
  const bits = Number(bitsText)
  if (isIP(address) !== 4 || isIP(range) !== 4 || !Number.isInteger(bits) || bits < 0 || bits > 32) return false
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
  return ((ipv4ToNumber(address) & mask) >>> 0) === ((ipv4ToNumber(range) & mask) >>> 0)
}

/**
 * True when `NO_PROXY` exempts a host: `*`, exact names, domain suffixes (`example.com`, `.example.com`,
 * `*.example.com` all cover subdomains), optional `:port`, IPv4 CIDR ranges.
 * @see https://about.gitlab.com/blog/we-need-to-talk-no-proxy/
 */
export function matchesNoProxy(host: string, port: string, noProxy: string): boolean {
  const hostname = host.replace(/^\[|\]$/g, '').toLowerCase()
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase()
    if (!entry) continue
    if (entry === '*') return true
    if (entry.includes('/')) {
      if (inCidr(hostname, entry)) return true
      continue
    }
    let entryPort: string | undefined
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
    const withPort = bracketed ? undefined : isIP(entry) === 6 ? undefined : /^(.*):(\d+)$/.exec(entry)
    if (bracketed) [, entry, entryPort] = bracketed
    else if (withPort) [, entry, entryPort] = withPort
    if (entryPort && entryPort !== port) continue
    entry = entry.replace(/^\*?\./, '')
    if (hostname === entry || hostname.endsWith(`.${entry}`)) return true
  }
  return false
}

/**
 * The proxy an upstream call to `url` goes through, or null for a direct connection. A connection's own proxy
 * wins (and is the only way to proxy a loopback upstream); `direct` opts out. Otherwise HTTPS_PROXY / HTTP_PROXY
 * by scheme, then ALL_PROXY, unless NO_PROXY exempts the host; loopback hosts always go direct.
 * Pure: the environment is passed in. Pass the result to Bun's fetch as `proxy` (see `withProxy`).
 * @see https://bun.sh/guides/http/proxy
 */
export function selectProxy(url: string, env: ProxyEnv, connectionProxy?: ConnectionProxy): string | null {
  const explicit = connectionProxy?.trim()
  if (explicit) return explicit.toLowerCase() === 'direct' ? null : normaliseProxy(explicit)
  const target = new URL(url)
  const host = target.hostname.toLowerCase()
  if (isLoopbackHost(host)) return null
  const port = target.port || (target.protocol === 'https:' ? '443' : '80')
  const noProxy = readEnv(env, 'NO_PROXY')
  if (noProxy && matchesNoProxy(host, port, noProxy)) return null
  const byScheme = target.protocol === 'https:' ? readEnv(env, 'HTTPS_PROXY') : target.protocol === 'http:' ? readEnv(env, 'HTTP_PROXY') : undefined
  const chosen = byScheme ?? readEnv(env, 'ALL_PROXY')
  return chosen ? normaliseProxy(chosen) : null
}

/**
 * Wraps a fetch so every call uses the given proxy, or none: `proxy: false` also stops Bun from applying
 * HTTP_PROXY on its own, so the choice made by `selectProxy` is the only one.
 */
export function withProxy(fetchImpl: typeof fetch, proxy: string | null): typeof fetch {
  const proxied = (input: string | URL | Request, init?: RequestInit) =>
    fetchImpl(input, { ...init, proxy: proxy ?? false } as RequestInit)
  return Object.assign(proxied, { preconnect: fetchImpl.preconnect }) as typeof fetch
}
