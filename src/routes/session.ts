import { jwt } from '@elysiajs/jwt'
import { Elysia } from 'elysia'
import type { AppContext } from '../services/context'
import { getStoredPassword } from '../services/password'

/** Session lifetime: one day, as 9Router; the cookie and the token expire together. */
export const SESSION_SECONDS = 24 * 60 * 60

/** The signed-session plugin: `jwt` for signing, `isSignedIn(cookie)` for checking the `auth_token` cookie. */
export function sessionPlugin(context: AppContext) {
  return new Elysia({ name: 'session' })
    .use(jwt({ name: 'jwt', secret: context.jwtSecret, exp: `${SESSION_SECONDS}s` }))
    .derive({ as: 'global' }, ({ jwt }) => ({
      /** True when the token is valid and was signed under the current password. */
      async isSignedIn(token: unknown): Promise<boolean> {
        if (typeof token !== 'string' || token === '') return false
        const payload = await jwt.verify(token)
        if (!payload) return false
        return payload.pv === (getStoredPassword(context.db)?.version ?? 0)
      },
      async signSession(): Promise<string> {
        return jwt.sign({ sub: 'admin', pv: getStoredPassword(context.db)?.version ?? 0 })
      },
    }))
}

/** Cookie attributes for the session: httpOnly, SameSite=Strict, Secure when configured. */
export function sessionCookie(context: AppContext, value: string, maxAge = SESSION_SECONDS) {
  return {
    value,
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: context.runtime.authCookieSecure,
    path: '/',
    maxAge,
  }
}

/** State-changing requests must prove they come from our own pages: JSON, an htmx header, or a same-origin form. */
export function isSameOriginWrite(request: Request): boolean {
  if (request.headers.get('hx-request') === 'true') return true
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase()
  if (type === 'application/json') return true
  const origin = request.headers.get('origin')
  if (!origin) return false
  try {
    return new URL(origin).host === new URL(request.url).host || new URL(origin).host === request.headers.get('host')
  } catch {
    return false
  }
}

/**
 * The `auth_token` cookie of a request, read straight from the header. Hooks use this instead of Elysia's
 * `cookie`: a hook that destructures `cookie` makes Elysia parse cookies on every route, `/v1` included.
 * @see https://httpwg.org/specs/rfc6265.html#sane-cookie-syntax
 */
export function sessionToken(request: Request): string | undefined {
  const header = request.headers.get('cookie')
  if (!header) return undefined
  for (const part of header.split(';')) {
    const separator = part.indexOf('=')
    if (separator !== -1 && part.slice(0, separator).trim() === 'auth_token') return decodeURIComponent(part.slice(separator + 1).trim())
  }
  return undefined
}
