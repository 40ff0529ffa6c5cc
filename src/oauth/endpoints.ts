/**
 * Endpoint overrides: every URL a provider's flows and API calls use can be replaced by configuration,
 * so tests (and self-hosted mirrors) run whole flows against local servers.
 *
 * Order, first match wins: `settings.oauth.<provider>.<name>`, env `MODELMUX_OAUTH_<PROVIDER>_<NAME>`,
 * then the default URL with its origin replaced by `settings.oauth.<provider>.origin`,
 * `MODELMUX_OAUTH_<PROVIDER>_ORIGIN` or `MODELMUX_OAUTH_ORIGIN` (all providers), else the default.
 * @module
 */

/** Per provider id: endpoint name → URL, plus `origin` to move every default endpoint to another host. */
export type OAuthOverrides = Readonly<Record<string, Readonly<Record<string, string>>>>

/** `gemini-cli` + `loadCodeAssist` → `MODELMUX_OAUTH_GEMINI_CLI_LOAD_CODE_ASSIST`. */
export function overrideEnvName(providerId: string, name: string): string {
  const snake = (text: string) => text.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()
  return `MODELMUX_OAUTH_${snake(providerId)}_${snake(name)}`
}

/** Replaces scheme, host and port of a URL, keeping its path and query. */
export function withOrigin(url: string, origin: string): string {
  const parsed = new URL(url)
  const target = new URL(origin)
  const base = target.pathname.replace(/\/+$/, '')
  return `${target.protocol}//${target.host}${base}${parsed.pathname}${parsed.search}`
}

/** Resolves a named endpoint of a provider against the overrides. */
export function resolveEndpoint(
  providerId: string,
  name: string,
  defaults: Readonly<Record<string, string>>,
  overrides: OAuthOverrides | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const own = overrides?.[providerId]
  const explicit = own?.[name] ?? env[overrideEnvName(providerId, name)]
  if (explicit) return explicit
  const fallback = defaults[name]
  if (!fallback) throw new Error(`${providerId}: no "${name}" endpoint`)
  const origin = own?.origin ?? env[overrideEnvName(providerId, 'origin')] ?? env.MODELMUX_OAUTH_ORIGIN
  return origin ? withOrigin(fallback, origin) : fallback
}
