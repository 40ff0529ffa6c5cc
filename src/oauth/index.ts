/**
 * OAuth for subscription providers: logins, token storage and refresh, quota. `oauthServiceFor(context)`
 * gives the one service of a running app (created on first use, so the app context needs no new field).
 * @module
 */
import type { AppContext } from '../services/context'
import type { OAuthOverrides } from './endpoints'
import { createOAuthService, type OAuthService } from './service'

export { createOAuthService, type OAuthService, type OAuthServiceDeps, type PreparedSubscriptionCall, type OAuthStatus } from './service'
export { OAuthError } from './http'
export type { OAuthTokens, QuotaSnapshot, QuotaWindow, SubscriptionProvider } from './types'

const services = new WeakMap<AppContext, OAuthService>()

/** The OAuth service of an app context, wired to its store, clock, fetch, settings and health tracker. */
export function oauthServiceFor(context: AppContext): OAuthService {
  let service = services.get(context)
  if (!service) {
    service = createOAuthService({
      db: context.db,
      encryptionKey: context.encryptionKey,
      // Late-bound: tests may swap `context.fetch`.
      fetch: ((input: RequestInfo | URL, init?: RequestInit) => context.fetch(input, init)) as typeof fetch,
      now: () => context.now(),
      env: context.env ?? process.env,
      overrides: () => (context.registry.settings as { oauth?: OAuthOverrides }).oauth,
      connections: () => context.registry.connections.map((entry) => entry.connection),
      reload: () => context.reload(),
      onNeedsRelogin: (id, reason) => context.health.failed(id, '', { class: 'auth', perModel: false, reason: `needs re-login: ${reason}` }),
      onLoggedIn: (id) => context.health.clear(id),
    })
    services.set(context, service)
  }
  return service
}
