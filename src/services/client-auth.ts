import { isLocalHostname, isLoopback } from '../config/env'
import { ProxyError } from '../core/errors'
import type { ApiKeyRecord } from '../store/api-keys'
import type { AppContext } from './context'
import { hashApiKey } from './crypto'

/**
 * The client key a request carries: `Authorization: Bearer`, `x-api-key`, `x-goog-api-key` or `?key=`.
 * @see https://docs.anthropic.com/en/api/overview#authentication
 */
export function extractClientKey(headers: Headers, url: string): string | undefined {
  const authorization = headers.get('authorization')
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim())
    if (match) return match[1].trim()
  }
  const direct = headers.get('x-api-key') ?? headers.get('x-goog-api-key')
  if (direct) return direct.trim()
  const query = url.indexOf('?')
  if (query !== -1) return new URLSearchParams(url.slice(query + 1)).get('key') ?? undefined
  return undefined
}

/** Whether client keys are enforced: env wins, then the setting, then "required unless bound to loopback". */
export function isApiKeyRequired(context: AppContext): boolean {
  return context.runtime.requireApiKey ?? context.registry.settings.requireApiKey ?? !isLoopback(context.runtime.hostname)
}

/**
 * Whether a browser sent the request from a page on another site: its `Sec-Fetch-Site` says `cross-site` (or a
 * browser without it sent an `Origin`), and that origin is neither this host nor a local one (localhost and
 * 127.0.0.1 are different sites to a browser, yet both this machine). Coding tools and SDKs send neither header.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Sec-Fetch-Site
 */
export function isCrossSiteBrowserRequest(headers: Headers): boolean {
  const site = headers.get('sec-fetch-site')
  if (site !== null && site !== 'cross-site') return false
  const origin = headers.get('origin')
  if (origin === null) return site === 'cross-site'
  try {
    const { hostname, host } = new URL(origin)
    return !isLocalHostname(hostname) && host !== headers.get('host')
  } catch {
    return true // "null": a sandboxed frame or a local file
  }
}

/**
 * Checks the client's key; returns its record (or null when keys are optional and none was sent). Without a
 * valid key, a web page on another site is refused: a page can send a request a browser does not preflight
 * (a body of no declared type), and it would otherwise spend the user's accounts.
 */
export function authenticateClient(context: AppContext, headers: Headers, url: string): ApiKeyRecord | null {
  const key = extractClientKey(headers, url)
  if (key === undefined || key === '') {
    if (isApiKeyRequired(context)) throw new ProxyError('authentication', 'missing API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>"')
    return anonymous(context, headers)
  }
  const record = context.registry.apiKeysByHash.get(hashApiKey(key))
  if (record) return record
  if (!isApiKeyRequired(context)) return anonymous(context, headers)
  throw new ProxyError('authentication', 'invalid API key')
}

/** The host name a request was addressed to (its `Host` header without the port, `[::1]` kept bracketed), or undefined when it names none. */
function requestedHostname(headers: Headers): string | undefined {
  const host = headers.get('host')
  if (!host) return undefined
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1) || host
  const colon = host.indexOf(':')
  return (colon === -1 ? host : host.slice(0, colon)).toLowerCase()
}

/**
 * A request without a valid key, where keys are optional: served, unless a page on another site sent it, or
 * (listening on loopback) it names another host, the mark of a page whose domain was re-pointed at this machine.
 * Keys turned off on purpose (`REQUIRE_API_KEY=false` or the setting) accept any host: a tunnel that authenticates.
 */
function anonymous(context: AppContext, headers: Headers): null {
  if (isCrossSiteBrowserRequest(headers)) {
    throw new ProxyError('permission', 'a web page on another site may not use modelmux without an API key: send one as "Authorization: Bearer <key>"')
  }
  const keysTurnedOff = (context.runtime.requireApiKey ?? context.registry.settings.requireApiKey) === false
  const hostname = isLoopback(context.runtime.hostname) && !keysTurnedOff ? requestedHostname(headers) : undefined
  if (hostname !== undefined && !isLocalHostname(hostname)) {
    throw new ProxyError(
      'permission',
      `modelmux listens on ${context.runtime.hostname}: without an API key, requests must address it as localhost or 127.0.0.1, not "${hostname}" (behind a tunnel or proxy, use client keys, or set REQUIRE_API_KEY=false)`,
    )
  }
  return null
}
