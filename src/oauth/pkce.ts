/**
 * PKCE (RFC 7636) verifiers and challenges, and opaque `state` values.
 * @see https://datatracker.ietf.org/doc/html/rfc7636#section-4.1
 */
import { createHash, randomBytes } from 'node:crypto'

/** base64url without padding (RFC 4648 §5). */
export function base64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url')
}

/** A fresh code verifier: 32 random bytes, 43 base64url characters. */
export function createCodeVerifier(): string {
  return base64Url(randomBytes(32))
}

/** The S256 challenge of a verifier. */
export function codeChallengeOf(verifier: string): string {
  return base64Url(createHash('sha256').update(verifier).digest())
}

/** A fresh opaque `state` that ties a callback to the login that started it. */
export function createState(): string {
  return base64Url(randomBytes(24))
}
