/** Kinds of failure a caller can see; each wire format maps them onto its own error types. */
export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'too_large'
  | 'rate_limit'
  | 'upstream'
  | 'overloaded'
  | 'timeout'
  | 'internal'

const statusByKind: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  too_large: 413,
  rate_limit: 429,
  upstream: 502,
  overloaded: 529,
  timeout: 504,
  internal: 500,
}

/** A failure to report to the client in its own wire format. */
export class ProxyError extends Error {
  readonly status: number
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options: { status?: number; param?: string; code?: string } = {},
  ) {
    super(message)
    this.name = 'ProxyError'
    this.status = options.status ?? statusByKind[kind]
    this.param = options.param
    this.code = options.code
  }
  readonly param?: string
  readonly code?: string
}

/** Maps an HTTP status to the closest error kind (used for upstream failures). */
export function kindForStatus(status: number): ErrorKind {
  if (status === 400 || status === 422) return 'invalid_request'
  if (status === 401) return 'authentication'
  if (status === 403) return 'permission'
  if (status === 404) return 'not_found'
  if (status === 413) return 'too_large'
  if (status === 429) return 'rate_limit'
  if (status === 408 || status === 504) return 'timeout'
  if (status === 503 || status === 529) return 'overloaded'
  if (status >= 500) return 'upstream'
  return 'invalid_request'
}

/**
 * An HTML error page (a CDN's challenge or outage page, a proxy's error page) in words instead of markup:
 * `an HTML page titled "Just a moment..." (a proxy or CDN answered, not the API)`; undefined for any other text.
 */
export function describeHtmlPage(text: string): string | undefined {
  const head = text.trimStart().slice(0, 200).toLowerCase()
  if (!head.startsWith('<') || !/<(!doctype html|html|head|body|title)[\s>]/.test(head)) return undefined
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim()
  return `an HTML page${title ? ` titled "${title.slice(0, 120)}"` : ''} (a proxy or CDN answered, not the API)`
}
