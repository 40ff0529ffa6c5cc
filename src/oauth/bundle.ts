import type { OAuthTokens } from './types'

/** Parses a connection secret as an OAuth token bundle; undefined when it is a plain key. Pure, no store access. */
export function parseTokens(secret: string | null | undefined): OAuthTokens | undefined {
  if (!secret || secret[0] !== '{') return undefined
  try {
    const value = JSON.parse(secret) as OAuthTokens
    return value && value.type === 'oauth' && typeof value.accessToken === 'string' ? value : undefined
  } catch {
    return undefined
  }
}

/** The account key that tells two logins of one provider apart: account id, else email. */
export function accountKeyOf(tokens: OAuthTokens): string | undefined {
  return tokens.accountId ?? tokens.email
}
