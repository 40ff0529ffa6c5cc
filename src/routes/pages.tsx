import { html } from '@elysiajs/html'
import { Elysia } from 'elysia'
import { LoginPage } from '../../views/pages/login-page'
import type { AppContext } from '../services/context'
import { createLoginLimiter } from '../services/login-limiter'
import { verifyPassword } from '../services/password'
import { dashboardRoutes } from './pages/dashboard'
import { isSameOriginWrite, sessionCookie, sessionPlugin } from './session'

const redirect = (location: string) => new Response(null, { status: 303, headers: { location } })

/** The dashboard pages: plain links and forms, enhanced by htmx where present. */
export function pageRoutes(context: AppContext) {
  const limiter = createLoginLimiter()
  return new Elysia({ name: 'routes/pages' })
    .use(html())
    .use(sessionPlugin(context))
    .get('/', async ({ cookie, isSignedIn }) => redirect((await isSignedIn(cookie.auth_token.value)) ? '/dashboard' : '/login'))
    .get('/login', () => <LoginPage />)
    .post('/login', async ({ request, cookie, signSession, server, set }) => {
      if (!isSameOriginWrite(request)) {
        set.status = 403
        return <LoginPage error="This sign-in came from another site and was refused." />
      }
      const address = server?.requestIP(request)?.address ?? 'unknown'
      if (limiter.blockedFor(address, context.now()) > 0) {
        set.status = 429
        return <LoginPage error="Too many failed attempts. Wait a minute and try again." />
      }
      const form = await request.formData().catch(() => undefined)
      const password = form?.get('password')
      if (typeof password !== 'string' || !(await verifyPassword(context.db, password))) {
        limiter.fail(address, context.now())
        set.status = 401
        return <LoginPage error="Wrong password." />
      }
      limiter.succeed(address)
      cookie.auth_token.set(sessionCookie(context, await signSession()))
      return redirect('/dashboard')
    })
    .post('/logout', ({ request, cookie }) => {
      if (isSameOriginWrite(request)) cookie.auth_token.set(sessionCookie(context, '', 0))
      return redirect('/login')
    })
    .use(dashboardRoutes(context))
}
