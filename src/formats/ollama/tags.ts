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

/** The Ollama API version modelmux's `/api/*` routes speak: recent enough for clients that check it (VS Code's Copilot Chat). */
export const OLLAMA_API_VERSION = '0.12.6'

/** The architecture name `/api/show` gives, under which `model_info` holds the context length. */
const ARCHITECTURE = 'modelmux'

/** The model a `POST /api/show` body names (older clients call the field `name`), as a request body `readModel` reads. */
export function ollamaShowRequest(body: Record<string, unknown>): { model: unknown } {
  return { model: body.model ?? body.name }
}

/**
 * Renders `POST /api/show` for one model: its details, `capabilities` (every model here takes tools, which agent
 * modes require) and, when known, its context window as `model_info["modelmux.context_length"]`.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#show-model-information
 */
export function renderOllamaShow(model: { id: string; contextWindow?: number }, clock: Clock): Record<string, unknown> {
  return {
    modelfile: '',
    parameters: '',
    template: '',
    details: { parent_model: '', format: 'remote', family: model.id.split('/')[0] ?? '', families: null, parameter_size: '', quantization_level: '' },
    model_info: {
      'general.architecture': ARCHITECTURE,
      'general.basename': model.id,
      ...(model.contextWindow === undefined ? {} : { [`${ARCHITECTURE}.context_length`]: model.contextWindow }),
    },
    capabilities: ['completion', 'tools'],
    modified_at: new Date(clock.now()).toISOString(),
  }
}
