import type { Database } from 'bun:sqlite'
import type { Settings } from '../config/file'
import type { Usage } from '../core/ir'
import { getProvider, providerList } from '../providers'
import type { ModelInfo, ModelPricing, ProviderDefinition } from '../providers/types'
import { listConnectionNames, listPriceOverrides } from '../store/pricing'
import { getSetting } from '../store/settings'

/** How a connection is paid for: a flat subscription, a free tier, or per token. */
export type Tier = 'subscription' | 'free' | 'paid'

/** Where a price came from. */
export type PriceSource = 'override' | 'provider' | 'listing' | 'catalogue'

/** Prices and tiers as of one moment, reloaded every few seconds (never read from SQLite per request). */
export interface PriceSnapshot {
  overrides: Map<string, ModelPricing>
  /** Connection id → its tier (setting, else the provider's flag, else paid). */
  tiers: Map<number, Tier>
  loadedAt: number
  /** Prices from providers' own model listings, by provider then model. */
  listed?: Map<string, Map<string, ModelPricing>>
  /** Prices already looked up in this snapshot, by provider and model (null: none known). */
  found?: Map<string, { pricing: ModelPricing; source: PriceSource } | null>
}

const SNAPSHOT_MS = 5_000
const snapshots = new WeakMap<Database, PriceSnapshot>()
// Prices providers' own model listings gave (OpenRouter prices its whole catalogue), by provider then model.
const listedPrices = new WeakMap<Database, Map<string, Map<string, ModelPricing>>>()
const key = (provider: string, model: string) => `${provider}\u0000${model}`

/** Reads overrides, tiers and connection names from the store into a snapshot. */
export function loadPriceSnapshot(db: Database, now: number): PriceSnapshot {
  const overrides = new Map<string, ModelPricing>()
  for (const row of listPriceOverrides(db)) {
    overrides.set(key(row.provider, row.model), { input: row.input, output: row.output, cacheRead: row.cacheRead, cacheWrite: row.cacheWrite })
  }
  const settings = getSetting<Settings>(db, 'settings') ?? {}
  const tiers = new Map<number, Tier>()
  for (const connection of listConnectionNames(db)) {
    const flag = (getProvider(connection.provider) as { tier?: Tier } | undefined)?.tier
    tiers.set(connection.id, settings.tiers?.[connection.name] ?? flag ?? 'paid')
  }
  return { overrides, tiers, loadedAt: now, listed: listedPrices.get(db) }
}

/** The cached snapshot for a database, reloaded when older than a few seconds. */
export function pricingSnapshot(db: Database, now: number): PriceSnapshot {
  const cached = snapshots.get(db)
  if (cached && now - cached.loadedAt < SNAPSHOT_MS && now >= cached.loadedAt) return cached
  const fresh = loadPriceSnapshot(db, now)
  snapshots.set(db, fresh)
  return fresh
}

/** Keeps the prices of a provider's listed models, which then price the models the built-in lists lack. */
export function noteListedPrices(db: Database, providerId: string, models: readonly ModelInfo[]): void {
  const priced = new Map<string, ModelPricing>()
  for (const model of models) if (model.pricing) priced.set(model.id, model.pricing)
  if (priced.size === 0) return
  let byProvider = listedPrices.get(db)
  if (!byProvider) listedPrices.set(db, (byProvider = new Map()))
  byProvider.set(providerId, priced)
  invalidatePricing(db)
}

/** Drops the cached snapshot after prices, tiers or connections change. */
export function invalidatePricing(db: Database): void {
  snapshots.delete(db)
}

/** The model id a provider was sent: a public `<prefix>/<model>` id without its prefix. */
export function upstreamModelOf(publicModel: string): string {
  const slash = publicModel.indexOf('/')
  return slash === -1 ? publicModel : publicModel.slice(slash + 1)
}

/** A provider's models that carry a price: its chat models, then its embedding models. */
function pricedModelsOf(provider: ProviderDefinition | undefined): readonly ModelInfo[] {
  if (!provider?.embeddingModels) return provider?.models ?? []
  return [...(provider.models ?? []), ...provider.embeddingModels]
}

function catalogueCandidates(model: string): string[] {
  const names = [model]
  const vendorless = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : undefined
  if (vendorless) names.push(vendorless)
  for (const name of [...names]) {
    const undated = name.replace(/-\d{8}$|-\d{4}-\d{2}-\d{2}$/, '')
    if (undated !== name) names.push(undated)
  }
  return names
}

/**
 * The list price of a provider's model: the user's override for that model, for every model of the provider,
 * or for that model anywhere (`*`); then the provider's own model list; then its live listing's price (OpenRouter);
 * then the same model id in any provider's list (custom nodes serving a known model, vendor prefixes and date
 * suffixes removed).
 */
export function findPrice(snapshot: PriceSnapshot, providerId: string, model: string): { pricing: ModelPricing; source: PriceSource } | undefined {
  // Rows repeat the same few models: remember each answer (misses too) for the snapshot's lifetime.
  const memoKey = key(providerId, model)
  if (snapshot.found?.has(memoKey)) return snapshot.found.get(memoKey) ?? undefined
  const result = lookUpPrice(snapshot, providerId, model)
  ;(snapshot.found ??= new Map()).set(memoKey, result ?? null)
  return result
}

function lookUpPrice(snapshot: PriceSnapshot, providerId: string, model: string): { pricing: ModelPricing; source: PriceSource } | undefined {
  const upstream = upstreamModelOf(model)
  for (const found of [snapshot.overrides.get(key(providerId, upstream)), snapshot.overrides.get(key(providerId, '*')), snapshot.overrides.get(key('*', upstream))]) {
    if (found) return { pricing: found, source: 'override' }
  }
  const names = catalogueCandidates(upstream)
  const own = pricedModelsOf(getProvider(providerId))
  for (const name of names) {
    const pricing = own.find((m) => m.id === name)?.pricing
    if (pricing) return { pricing, source: 'provider' }
  }
  const listed = snapshot.listed?.get(providerId)?.get(upstream)
  if (listed) return { pricing: listed, source: 'listing' }
  for (const name of names) {
    for (const provider of providerList) {
      const pricing = pricedModelsOf(provider).find((m) => m.id === name)?.pricing
      if (pricing) return { pricing, source: 'catalogue' }
    }
  }
  return undefined
}

/**
 * The cost of a usage at a price, in US dollars. Cache reads and writes are part of input tokens (the IR's
 * convention): they are charged at their own rates and only the rest at the input rate; reasoning is part
 * of output and is not charged again. A request whose input passes a long-context line is charged at those rates.
 */
export function costOf(pricing: ModelPricing, usage: Usage): number {
  const input = usage.inputTokens ?? 0
  // A long request is charged at the long-context rates throughout, not only for the tokens past the line.
  const rates = pricing.longContext && input > pricing.longContext.above ? pricing.longContext : pricing
  const read = Math.min(usage.cacheReadTokens ?? 0, input)
  const write = Math.min(usage.cacheWriteTokens ?? 0, input - read)
  const plain = input - read - write
  const dollars = plain * rates.input + read * (rates.cacheRead ?? rates.input) + write * (rates.cacheWrite ?? rates.input) + (usage.outputTokens ?? 0) * rates.output
  // Rounded to a millionth of a cent so float noise never shows in sums.
  return Math.round(dollars * 1e6) / 1e12
}

/** List and actual cost of one request; both undefined when nothing was used or the model has no known price. */
export function priceRequest(
  snapshot: PriceSnapshot,
  request: { provider: string | null; model: string | null; connectionId: number | null } & Usage,
): { listCost?: number; actualCost?: number } {
  if (!request.provider || !request.model) return {}
  if (!request.inputTokens && !request.outputTokens) return {}
  const tier = request.connectionId === null ? 'paid' : (snapshot.tiers.get(request.connectionId) ?? 'paid')
  const found = findPrice(snapshot, request.provider, request.model)
  if (!found) return tier === 'paid' ? {} : { actualCost: 0 }
  const listCost = costOf(found.pricing, request)
  return { listCost, actualCost: tier === 'paid' ? listCost : 0 }
}

/** Every built-in price, for the pricing page. */
export function listBuiltInPrices(): ({ provider: string; model: string } & ModelPricing)[] {
  return providerList.flatMap((provider) =>
    pricedModelsOf(provider).filter((m) => m.pricing).map((m) => ({ provider: provider.id, model: m.id, ...m.pricing! })),
  )
}
