import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The shared recorded provider fixtures (beside the repo, read-only). */
export const recordedDir = fileURLToPath(new URL('../../../shared/fixtures/recorded/', import.meta.url))

/** The `data:` payload lines of a recorded stream. */
export function readChunks(relativePath: string): string[] {
  return readFileSync(recordedDir + relativePath, 'utf8').split('\n').filter((line) => line.trim() !== '')
}

/** A recorded non-stream body, as text. */
export function readBody(relativePath: string): string {
  return readFileSync(recordedDir + relativePath, 'utf8')
}

/** Renders recorded chunks as the SSE bytes the provider sent: OpenAI `data:` lines, Anthropic `event:` + `data:`. */
export function toSse(chunks: string[], style: 'openai' | 'anthropic'): string[] {
  if (style === 'anthropic') {
    return chunks.map((line) => `event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`)
  }
  return [...chunks.map((line) => `data: ${line}\n\n`), 'data: [DONE]\n\n']
}
