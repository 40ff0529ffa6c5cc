import { Elysia } from 'elysia'
import { apiRoutes } from './api'
import { metricsRoutes } from './metrics'
import { oauthApiRoutes } from './oauth-api'
import { pageRoutes } from './pages'
import { staticRoutes } from './static'
import { usageApiRoutes } from './usage-api'
import type { AppContext } from '../services/context'

/** Everything but the client API: management JSON API, metrics, dashboard pages and their static files. */
export function managementRoutes(context: AppContext) {
  return new Elysia({ name: 'routes/management' })
    .use(apiRoutes(context))
    .use(oauthApiRoutes(context))
    .use(usageApiRoutes(context))
    .use(metricsRoutes(context))
    .use(pageRoutes(context))
    .use(staticRoutes())
}
