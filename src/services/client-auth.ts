import { isLoopback } from '../config/env'
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

/** Checks the client's key; returns its record (or null when keys are optional and none was sent). */
export function authenticateClient(context: AppContext, headers: Headers, url: string): ApiKeyRecord | null {
  const key = extractClientKey(headers, url)
  if (key === undefined || key === '') {
    if (isApiKeyRequired(context)) throw new ProxyError('authentication', 'missing API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>"')
    return null
  }
  const record = context.registry.apiKeysByHash.get(hashApiKey(key))
  if (record) return record
  if (!isApiKeyRequired(context)) return null
  throw new ProxyError('authentication', 'invalid API key')
}
