import { header } from './auth'

/**
 * What Anthropic Messages endpoints share (Anthropic itself, z.ai, MiniMax, Kimi): `x-api-key` and a pinned API version.
 * @see https://docs.anthropic.com/en/api/versioning
 */
export const anthropicCompatible = {
  format: 'anthropic-messages',
  auth: header('x-api-key'),
  headers: { 'anthropic-version': '2023-06-01' },
} as const
