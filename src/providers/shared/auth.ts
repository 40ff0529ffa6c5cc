import type { AuthPlacement } from '../types'

/** `Authorization: Bearer <key>`, the OpenAI convention. */
export const bearer = (): AuthPlacement => ({ kind: 'bearer' })

/** The key in a named header (`x-api-key`, `x-goog-api-key`, Azure's `api-key`). */
export const header = (name: string): AuthPlacement => ({ kind: 'header', name })

/** The key in a query parameter (`?key=`). */
export const query = (name: string): AuthPlacement => ({ kind: 'query', name })

/** No credential at all (local servers). */
export const none = (): AuthPlacement => ({ kind: 'none' })

/**
 * A Google service-account JSON key, exchanged for an OAuth access token (RS256 JWT bearer grant).
 * @see https://developers.google.com/identity/protocols/oauth2/service-account#httprest
 */
export const googleServiceAccount = (scope = 'https://www.googleapis.com/auth/cloud-platform'): AuthPlacement => ({
  kind: 'google-service-account',
  scope,
})
