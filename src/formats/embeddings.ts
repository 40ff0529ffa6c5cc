/**
 * Embeddings: the OpenAI embeddings API is the client format; an OpenAI-compatible upstream takes it as it is,
 * Ollama (`/api/embed`) and Gemini (`:batchEmbedContents`) upstreams take their own, translated both ways.
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-embeddings
 * @see https://ai.google.dev/api/embeddings#method:-models.batchembedcontents
 * @module
 */
import { ProxyError } from '../core/errors'
import type { FormatId } from './types'

/** The upstream formats that serve embeddings, and the endpoint that replaces their chat endpoint. */
const embeddingEndpoints: Partial<Record<FormatId, { chat: string; embeddings: string }>> = {
  'openai-chat': { chat: '/chat/completions', embeddings: '/embeddings' },
  ollama: { chat: '/api/chat', embeddings: '/api/embed' },
  gemini: { chat: ':generateContent', embeddings: ':batchEmbedContents' },
}

/** Whether an upstream of this format serves embeddings. */
export function servesEmbeddings(format: FormatId): boolean {
  return format in embeddingEndpoints
}

/** The embeddings URL beside a chat URL of the same upstream (query parameters, such as Azure's api-version, kept). */
export function embeddingsUrl(chatUrl: string, format: FormatId): string {
  const endpoints = embeddingEndpoints[format]
  if (!endpoints) throw new ProxyError('internal', `a ${format} upstream serves no embeddings`)
  const query = chatUrl.indexOf('?')
  const path = query === -1 ? chatUrl : chatUrl.slice(0, query)
  const base = path.endsWith(endpoints.chat) ? path.slice(0, -endpoints.chat.length) : path
  return base + endpoints.embeddings + (query === -1 ? '' : chatUrl.slice(query))
}

/** Checks an embeddings request: `input` is a string, a list of strings, or token ids (one list or several). */
export function checkEmbeddingsRequest(body: Record<string, unknown>): void {
  const { input } = body
  const isTokens = (value: unknown) => Array.isArray(value) && value.every((token) => Number.isInteger(token))
  const valid =
    typeof input === 'string' || (Array.isArray(input) && input.length > 0 && (input.every((item) => typeof item === 'string') || isTokens(input) || input.every(isTokens)))
  if (!valid) throw new ProxyError('invalid_request', '"input" must be a string, a non-empty list of strings, or token ids', { param: 'input' })
  const format = body.encoding_format
  if (format !== undefined && format !== 'float' && format !== 'base64') {
    throw new ProxyError('invalid_request', `"encoding_format" must be "float" or "base64", got ${JSON.stringify(format)}`, { param: 'encoding_format' })
  }
}

/** The texts of a request's `input`; another format's upstream takes no token ids. */
function textsOf(body: Record<string, unknown>, upstream: string): string[] {
  const { input } = body
  if (typeof input === 'string') return [input]
  if ((input as unknown[]).every((item) => typeof item === 'string')) return input as string[]
  throw new ProxyError('invalid_request', `an ${upstream} upstream embeds text: send "input" as strings, not token ids`, { param: 'input' })
}

/** One vector as OpenAI sends it: numbers, or (`encoding_format: "base64"`) the base64 of its little-endian float32s. */
function encodeVector(vector: readonly number[], encoding: unknown): number[] | string {
  if (encoding !== 'base64') return vector as number[]
  const floats = Float32Array.from(vector)
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64')
}

const isVector = (value: unknown): value is number[] => Array.isArray(value) && value.every((item) => typeof item === 'number')

/** Vectors as an OpenAI embeddings answer naming `model`. */
function openaiList(vectors: readonly number[][], model: string, encoding: unknown, inputTokens: number | undefined) {
  return {
    body: {
      object: 'list',
      data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: encodeVector(vector, encoding) })),
      model,
      usage: { prompt_tokens: inputTokens ?? 0, total_tokens: inputTokens ?? 0 },
    },
    inputTokens,
  }
}

/** An upstream format's own embeddings API: the body it takes, and its answer as OpenAI's (undefined when it is not one). */
export interface EmbeddingsCodec {
  request(body: Record<string, unknown>, upstreamModel: string): Record<string, unknown>
  response(answer: unknown, model: string, encoding: unknown): { body: Record<string, unknown>; inputTokens?: number } | undefined
}

/** The upstream formats whose embeddings API is not OpenAI's. */
export const embeddingsCodecs: Partial<Record<FormatId, EmbeddingsCodec>> = {
  ollama: {
    request: (body, model) => ({ model, input: textsOf(body, 'Ollama'), ...(typeof body.dimensions === 'number' ? { dimensions: body.dimensions } : {}) }),
    response(answer, model, encoding) {
      const embeddings = (answer as { embeddings?: unknown })?.embeddings
      if (!Array.isArray(embeddings) || !embeddings.every(isVector)) return undefined
      const counted = (answer as { prompt_eval_count?: unknown }).prompt_eval_count
      return openaiList(embeddings, model, encoding, typeof counted === 'number' ? counted : undefined)
    },
  },
  gemini: {
    request: (body, model) => ({
      requests: textsOf(body, 'Gemini').map((text) => ({
        model: `models/${model}`,
        content: { parts: [{ text }] },
        ...(typeof body.dimensions === 'number' ? { outputDimensionality: body.dimensions } : {}),
      })),
    }),
    response(answer, model, encoding) {
      const embeddings = (answer as { embeddings?: unknown })?.embeddings
      if (!Array.isArray(embeddings)) return undefined
      const vectors = embeddings.map((embedding) => (embedding as { values?: unknown })?.values)
      return vectors.every(isVector) ? openaiList(vectors, model, encoding, undefined) : undefined
    },
  },
}

/** Whether a body is an OpenAI embeddings answer (a `data` list). */
export function isEmbeddingsList(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && Array.isArray((answer as { data?: unknown }).data)
}

/** The input tokens an OpenAI embeddings answer reports. */
export function embeddingsInputTokens(answer: unknown): number | undefined {
  const tokens = (answer as { usage?: { prompt_tokens?: unknown } })?.usage?.prompt_tokens
  return typeof tokens === 'number' ? tokens : undefined
}

/** An Ollama client's embeddings request (`/api/embed`, or the older `/api/embeddings` with one `prompt`) as OpenAI's. */
export function fromOllamaClient(body: Record<string, unknown>, legacy: boolean): Record<string, unknown> {
  const input = legacy ? body.prompt : body.input
  return {
    model: body.model,
    input,
    ...(typeof body.dimensions === 'number' ? { dimensions: body.dimensions } : {}),
    encoding_format: 'float',
  }
}

/** An OpenAI embeddings answer as an Ollama client expects it: `{model, embeddings, prompt_eval_count}`, or `{embedding}` (`/api/embeddings`). */
export function toOllamaClient(answer: { data?: { index?: number; embedding?: unknown }[]; usage?: { prompt_tokens?: number } }, model: string, legacy: boolean) {
  const vectors = [...(answer.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map((item) => item.embedding)
  if (legacy) return { embedding: vectors[0] ?? [] }
  return { model, embeddings: vectors, total_duration: 0, load_duration: 0, prompt_eval_count: answer.usage?.prompt_tokens ?? 0 }
}
