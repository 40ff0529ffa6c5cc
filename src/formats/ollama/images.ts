import type { ImagePart, MediaSource } from '../../core/ir'
import { parseDataUrl } from '../../core/media'

/** Leading base64 characters of common image formats (their magic bytes, encoded). */
const signatures: Array<[string, string]> = [
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lGOD', 'image/gif'],
  ['UklGR', 'image/webp'],
  ['Qk', 'image/bmp'],
]

/** Guesses an image's media type from its base64 text (Ollama sends bare base64, no type). */
export function sniffImageType(data: string): string {
  for (const [prefix, mediaType] of signatures) if (data.startsWith(prefix)) return mediaType
  return 'image/png'
}

/**
 * One Ollama `images[]` entry (bare base64; some clients send a data URL) → IR image.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#chat-request-with-images
 */
export function decodeOllamaImage(image: string): ImagePart {
  const inline = parseDataUrl(image)
  const source: MediaSource = inline ? { type: 'base64', ...inline } : { type: 'base64', mediaType: sniffImageType(image), data: image }
  return { type: 'image', source }
}
