import { createHash } from 'node:crypto'
import type { Clock } from '../../core/ids'

/** One entry of Ollama's model list. */
export interface OllamaModelEntry {
  name: string
  model: string
  modified_at: string
  size: number
  digest: string
  details: {
    parent_model: string
    format: string
    family: string
    families: string[] | null
    parameter_size: string
    quantization_level: string
  }
}

/**
 * Renders `GET /api/tags` for the given model ids (`cc/claude-opus-4-6`, combo names…), so
 * Ollama clients (Open WebUI, Continue, Copilot's Ollama provider) can list what modelmux
 * serves. Models are remote: `size` is 0, the digest is the SHA-256 of the id (stable across
 * restarts), and `modified_at` is the clock's time.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#list-local-models
 */
export function renderOllamaTags(modelIds: readonly string[], clock: Clock): { models: OllamaModelEntry[] } {
  const modifiedAt = new Date(clock.now()).toISOString()
  return {
    models: modelIds.map((id) => ({
      name: id,
      model: id,
      modified_at: modifiedAt,
      size: 0,
      digest: createHash('sha256').update(id).digest('hex'),
      details: { parent_model: '', format: 'remote', family: id.split('/')[0] ?? '', families: null, parameter_size: '', quantization_level: '' },
    })),
  }
}
