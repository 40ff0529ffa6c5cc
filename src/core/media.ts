import type { MediaSource } from './ir'

/**
 * Parses a `data:<media type>;base64,<data>` URL; undefined for any other URL.
 * @see https://www.rfc-editor.org/rfc/rfc2397
 */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith('data:')) return undefined
  const comma = url.indexOf(',')
  if (comma === -1) return undefined
  const header = url.slice(5, comma)
  if (!header.endsWith(';base64')) return undefined
  return { mediaType: header.slice(0, -7) || 'application/octet-stream', data: url.slice(comma + 1) }
}

/** Builds a base64 data URL. */
export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`
}

/** Turns a URL (data URL or remote) into a media source. */
export function mediaSourceFromUrl(url: string): MediaSource {
  const inline = parseDataUrl(url)
  return inline ? { type: 'base64', ...inline } : { type: 'url', url }
}
