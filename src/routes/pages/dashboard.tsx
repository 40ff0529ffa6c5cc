import { Elysia } from 'elysia'
import type { AppContext } from '../../services/context'
import { isSameOriginWrite, sessionPlugin, sessionToken } from '../session'
import { budgetsPages } from './budgets'
import { cliToolsPages } from './cli-tools'
import { combosPages } from './combos'
import { endpointPages } from './endpoint'
import { insightPages } from './insights'
import { playgroundPages } from './playground'
import { pricesPages } from './prices'
import { providersPages } from './providers'
import { settingsPages } from './settings'
import { htmlResponse, redirect } from './render'

/** Everything under `/dashboard`: signed-in only; writes must come from our own pages (htmx header or same origin). */
export function dashboardRoutes(context: AppContext) {
  return new Elysia({ name: 'routes/dashboard', prefix: '/dashboard' })
    .use(sessionPlugin(context))
    .onBeforeHandle(async ({ request, isSignedIn }) => {
      if (!(await isSignedIn(sessionToken(request)))) {
        // htmx follows HX-Redirect with a full navigation; a plain request gets a 303.
        return request.headers.get('hx-request') === 'true' ? htmlResponse('', { headers: { 'hx-redirect': '/login' } }) : redirect('/login')
      }
      if (request.method !== 'GET' && request.method !== 'HEAD' && !isSameOriginWrite(request)) {
        return htmlResponse('<p class="error">This request came from another site and was refused.</p>', { status: 403 })
      }
    })
    .use(endpointPages(context))
    .use(providersPages(context))
    .use(combosPages(context))
    .use(insightPages(context))
    .use(playgroundPages(context))
    .use(cliToolsPages(context))
    .use(settingsPages(context))
    .use(pricesPages(context))
    .use(budgetsPages(context))
}
