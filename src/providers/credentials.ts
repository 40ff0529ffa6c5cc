import { ProxyError } from '../core/errors'
import { selectProxy, withProxy, type ProxyEnv } from '../upstream/proxy'
import { exchangeServiceAccountToken, parseServiceAccount, type AccessToken } from './shared/google-service-account'
import type { ProviderDefinition, UpstreamConnection } from './types'
import { parseTokens } from '../oauth/bundle'

/** Renew a cached access token this long before it expires. */
export const TOKEN_RENEW_MARGIN_MS = 5 * 60_000

/** In-memory access tokens keyed by connection and key; pending exchanges are shared, not repeated. */
export type CredentialCache = Map<string, Promise<AccessToken>>

const sharedCache: CredentialCache = new Map()

/** What resolving a credential may need: the clock, fetch (for token exchanges) and the proxy env. */
export interface CredentialOptions {
  fetch: typeof fetch
  now: () => number
  env?: ProxyEnv
  cache?: CredentialCache
}

/** A connection's label in messages. */
const labelOf = (connection: UpstreamConnection) => connection.name

/**
 * The secret to send upstream for a connection: its API key, the provider's anonymous token, or (Vertex) an
 * access token minted from its service-account key and cached until five minutes before it expires.
 * Throws ProxyError with a readable reason when a key is malformed or refused.
 * @see https://developers.google.com/identity/protocols/oauth2/service-account
 */
export async function resolveCredential(
  provider: ProviderDefinition,
  connection: UpstreamConnection,
  options: CredentialOptions,
): Promise<string | null> {
  const auth = provider.auth
  if (auth.kind === 'none') return null
  // An OAuth token bundle is never sent whole: only its access token is a credential.
  const bundle = parseTokens(connection.apiKey)
  if (bundle) return bundle.accessToken
  if (auth.kind !== 'google-service-account') return connection.apiKey ?? provider.anonymousKey ?? null
  const key = parseServiceAccount(connection.apiKey)
  if (!key) {
    throw new ProxyError('authentication', `${labelOf(connection)}: ${provider.name} needs a service-account JSON key (with client_email and private_key) as the secret`, {
      status: 401,
    })
  }
  const cache = options.cache ?? sharedCache
  const cacheKey = `${connection.id ?? connection.name}\n${key.client_email}\n${key.private_key_id ?? ''}\n${key.token_uri}\n${auth.scope}`
  const cached = cache.get(cacheKey)
  if (cached) {
    const token = await cached.catch(() => undefined)
    if (token && token.expiresAt - TOKEN_RENEW_MARGIN_MS > options.now()) return token.token
    if (cache.get(cacheKey) !== cached) return resolveCredential(provider, connection, options)
  }
  const proxy = selectProxy(key.token_uri, options.env ?? {}, connection.options?.proxy as string | undefined)
  const pending = exchangeServiceAccountToken(key, auth.scope, { fetch: withProxy(options.fetch, proxy), now: options.now, label: labelOf(connection) })
  cache.set(cacheKey, pending)
  try {
    return (await pending).token
  } catch (error) {
    if (cache.get(cacheKey) === pending) cache.delete(cacheKey)
    throw error
  }
}

/** Forgets every cached access token (after a connection's key changes, and in tests). */
export function clearCredentialCache(cache: CredentialCache = sharedCache): void {
  cache.clear()
}
