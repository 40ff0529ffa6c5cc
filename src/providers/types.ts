import type { FormatId, ProviderTarget } from '../formats/types'

/** Where an upstream expects its credential. */
export type AuthPlacement =
  | { kind: 'bearer' }
  | { kind: 'header'; name: string }
  | { kind: 'query'; name: string }
  | { kind: 'none' }
  /** Google service-account JSON as the connection secret: exchanged for an OAuth access token sent as Bearer. */
  | { kind: 'google-service-account'; scope: string }

/** List prices in US dollars per 1M tokens (public list prices, not what a given account pays). */
export interface ModelPricing {
  input: number
  output: number
  cacheRead?: number
  cacheWrite?: number
  /** The rates of a whole request whose input is above `above` tokens (long-context pricing), in place of these. */
  longContext?: { above: number; input: number; output: number; cacheRead?: number; cacheWrite?: number }
}

/** A model a provider offers, with what modelmux knows about it. */
export interface ModelInfo {
  id: string
  contextWindow?: number
  /** List price per 1M tokens; omitted when unknown. */
  pricing?: ModelPricing
}

/** Request-body parameters an upstream rejects (dropped) or knows under another name (renamed). */
export interface ParamRules {
  /** Top-level body fields removed before sending. */
  dropParams?: readonly string[]
  /** Top-level body fields renamed before sending (`from → to`); an existing `to` wins. */
  renameParams?: Readonly<Record<string, string>>
  /** Facts for cross-format encoders (model-independent). */
  target?: Readonly<Partial<Omit<ProviderTarget, 'model'>>>
}

/** Param rules that apply only to models whose name matches `match` (e.g. OpenAI reasoning models). */
export interface ModelRule extends ParamRules {
  match: RegExp
}

/** A provider described as data: its wire format, where it lives and how it authenticates. */
export interface ProviderDefinition extends ParamRules {
  id: string
  name: string
  /** Model prefixes that select this provider besides its id. */
  aliases: readonly string[]
  format: FormatId
  /** Default API base including its version path; custom nodes have none and need one per connection. */
  baseUrl?: string
  auth: AuthPlacement
  headers?: Readonly<Record<string, string>>
  models?: readonly ModelInfo[]
  /** Embedding models, for their list prices: usage through `/v1/embeddings` is priced, but they are not listed as chat models. */
  embeddingModels?: readonly ModelInfo[]
  /** A user-defined node: the connection supplies prefix and base URL. */
  custom?: boolean
  /** Path under the base that lists models with a GET (`/models`, Ollama `/api/tags`); absent: no listing API. */
  listModels?: string
  /** Its listing carries every model's price (OpenRouter): read in the background, it prices models `models` lacks. */
  livePrices?: boolean
  /** Path inserted between the base and the format's endpoint; `{name}` placeholders come from connection options (Azure deployments, Vertex projects). */
  pathPrefix?: string
  /** Query parameters added to every call; values may hold `{name}` placeholders. */
  query?: Readonly<Record<string, string>>
  /** Defaults for `{name}` placeholders; a default may itself mention `{model}`. */
  optionDefaults?: Readonly<Record<string, string>>
  /** Credential sent when the connection has none (no-auth providers that still expect a token). */
  anonymousKey?: string
  /** Model-specific param rules, applied after the provider's own. */
  modelRules?: readonly ModelRule[]
  /** Where calls that go on from a final assistant message are served, when not at `baseUrl` (DeepSeek's beta API); used with the default base only. */
  prefillBaseUrl?: string
  /** The provider's API documentation. */
  docs?: string
}

/** Identity function that checks a provider definition's shape. */
export function defineProvider<const T extends ProviderDefinition>(definition: T): T {
  return definition
}

/** Embedding models from their list prices per 1M input tokens (embeddings have no output tokens). */
export function embeddingPrices(prices: Readonly<Record<string, number>>): ModelInfo[] {
  return Object.entries(prices).map(([id, input]) => ({ id, pricing: { input, output: 0 } }))
}

/** What the adapter needs of a connection (the store's `Connection` fits): its secret, base URL override and options. */
export interface UpstreamConnection {
  id?: number
  name: string
  baseUrl: string | null
  /** API key, or for Vertex the service-account JSON key. */
  apiKey: string | null
  /** `proxy`, and `{name}` placeholder values such as `deployment`, `apiVersion`, `project`, `location`. */
  options?: Readonly<Record<string, unknown>>
  /** Models the user listed for this connection. */
  models?: readonly string[]
}
