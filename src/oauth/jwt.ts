/** Reads the claims of a JWT (an OpenID id_token) without checking its signature: it came straight from the token endpoint over TLS. */
export function decodeJwtClaims(token: string | undefined): Record<string, unknown> | undefined {
  if (!token) return undefined
  const parts = token.split('.')
  if (parts.length < 2) return undefined
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
