import type { FormatId } from '../formats/types'

/** Where an upstream expects its credential. */
export type AuthPlacement =
  | { kind: 'bearer' }
  | { kind: 'header'; name: string }
  | { kind: 'query'; name: string }
  | { kind: 'none' }

/** A model a provider offers, with what modelmux knows about it. */
export interface ModelInfo {
  id: string
  contextWindow?: number
}

/** A provider described as data: its wire format, where it lives and how it authenticates. */
export interface ProviderDefinition {
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
  /** A user-defined node: the connection supplies prefix and base URL. */
  custom?: boolean
}

/** Identity function that checks a provider definition's shape. */
export function defineProvider<const T extends ProviderDefinition>(definition: T): T {
  return definition
}
