import { sign } from 'node:crypto'
import { ProxyError } from '../../core/errors'

/** The fields of a Google service-account JSON key that the token exchange needs. */
export interface ServiceAccountKey {
  client_email: string
  private_key: string
  private_key_id?: string
  project_id?: string
  token_uri: string
}

/** An access token and when it stops working (epoch ms). */
export interface AccessToken {
  token: string
  expiresAt: number
}

const defaultTokenUri = 'https://oauth2.googleapis.com/token'

/** Parses a service-account JSON key; null when the text is not one. */
export function parseServiceAccount(secret: string | null | undefined): ServiceAccountKey | null {
  if (!secret || !secret.trimStart().startsWith('{')) return null
  try {
    const json = JSON.parse(secret) as Partial<ServiceAccountKey>
    if (typeof json.client_email !== 'string' || typeof json.private_key !== 'string') return null
    return { ...json, token_uri: typeof json.token_uri === 'string' && json.token_uri ? json.token_uri : defaultTokenUri } as ServiceAccountKey
  } catch {
    return null
  }
}

const base64url = (data: string | Uint8Array) => Buffer.from(data).toString('base64url')

/**
 * Builds the RS256-signed JWT assertion a service account trades for an access token (valid one hour).
 * @see https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests
 */
export function signServiceAccountJwt(key: ServiceAccountKey, scope: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000)
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) }))
  const claims = base64url(JSON.stringify({ iss: key.client_email, scope, aud: key.token_uri, iat, exp: iat + 3600 }))
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), key.private_key)
  return `${header}.${claims}.${base64url(signature)}`
}

/**
 * Exchanges the signed JWT at the key's `token_uri` (jwt-bearer grant) for an access token.
 * @see https://datatracker.ietf.org/doc/html/rfc7523#section-2.1
 */
export async function exchangeServiceAccountToken(
  key: ServiceAccountKey,
  scope: string,
  options: { fetch: typeof fetch; now: () => number; label: string },
): Promise<AccessToken> {
  const startedAt = options.now()
  const body = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: signServiceAccountJwt(key, scope, startedAt),
  })
  let response: Response
  try {
    response = await options.fetch(key.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
      signal: AbortSignal.timeout(15_000),
    })
  } catch (error) {
    throw new ProxyError('upstream', `${options.label}: cannot reach the Google token endpoint (${(error as Error)?.message ?? error})`)
  }
  const text = await response.text().catch(() => '')
  let json: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {}
  try {
    json = JSON.parse(text)
  } catch {}
  if (!response.ok || typeof json.access_token !== 'string') {
    const reason = [json.error, json.error_description].filter((part) => typeof part === 'string').join(': ') || `HTTP ${response.status}`
    throw new ProxyError('authentication', `${options.label}: Google refused the service-account key (${reason})`, { status: 401 })
  }
  const lifetime = typeof json.expires_in === 'number' ? json.expires_in : 3600
  return { token: json.access_token, expiresAt: startedAt + lifetime * 1000 }
}
