import type { FormatId } from '../formats/types'
import type { ProviderDefinition } from '../providers/types'

// Client headers a same-format upstream needs to see (API version and opt-in betas).
const forwardedByFormat: Partial<Record<FormatId, readonly string[]>> = {
  'anthropic-messages': ['anthropic-version', 'anthropic-beta'],
  'openai-chat': ['openai-beta'],
  'openai-responses': ['openai-beta'],
}

/** Headers for an upstream call: JSON, the provider's own headers and its credential (`apiKey`: the connection's secret or resolved token); the client's key never travels. */
export function buildUpstreamHeaders(
  provider: ProviderDefinition,
  apiKey: string | null,
  clientHeaders: Headers | undefined,
  stream: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    'user-agent': 'modelmux',
    ...provider.headers,
  }
  if (clientHeaders) {
    for (const name of forwardedByFormat[provider.format] ?? []) {
      const value = clientHeaders.get(name)
      if (value) headers[name] = value
    }
  }
  if (apiKey) {
    const auth = provider.auth
    // A service-account key is never sent: `apiKey` is then the access token it was exchanged for.
    if (auth.kind === 'bearer' || auth.kind === 'google-service-account') headers.authorization = `Bearer ${apiKey}`
    else if (auth.kind === 'header') headers[auth.name] = apiKey
  }
  return headers
}

/** Appends a query-placed credential to a URL. */
export function withQueryAuth(url: string, provider: ProviderDefinition, apiKey: string | null): string {
  if (provider.auth.kind !== 'query' || !apiKey) return url
  return `${url}${url.includes('?') ? '&' : '?'}${provider.auth.name}=${encodeURIComponent(apiKey)}`
}

// Upstream response headers worth passing on: ids for support tickets and rate-limit state.
const passedOn = /^(x-request-id|request-id|retry-after|x-ratelimit-.*|anthropic-ratelimit-.*|openai-processing-ms)$/

/** Picks the upstream response headers a client may see. */
export function copyResponseHeaders(from: Headers, into: Record<string, string>): void {
  from.forEach((value, name) => {
    if (passedOn.test(name)) into[name] = value
  })
}
