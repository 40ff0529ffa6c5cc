import { Elysia } from 'elysia'
import { PricesSection, type PricesSectionProps } from '../../../views/partials/prices-section'
import { priceOverrideSchema } from '../../config/file'
import type { AppContext } from '../../services/context'
import { fieldErrorsOf, formAmount } from '../../services/management'
import { findPrice, invalidatePricing, pricingSnapshot, upstreamModelOf } from '../../services/pricing'
import { deletePriceOverride, listPriceOverrides, listUnpricedModels, upsertPriceOverride } from '../../store/pricing'
import { field, readForm, renderFragment } from './render'

const DAY = 86_400_000
// How far back the section looks for models used without a known price.
const UNPRICED_DAYS = 30
const fields = ['provider', 'model', 'input', 'output', 'cacheRead', 'cacheWrite'] as const
const priceLimits = 'a number of dollars per 1M tokens, from 0 to 100000'
const priceErrors = { input: priceLimits, output: priceLimits, cacheRead: priceLimits, cacheWrite: priceLimits }

/** What the Prices section shows now, with anything given in `extra` (typed values, errors, a notice). */
export function pricesSection(context: AppContext, extra: Partial<PricesSectionProps> = {}): PricesSectionProps {
  const now = context.now()
  const snapshot = pricingSnapshot(context.db, now)
  const providers = new Map(context.registry.connections.map(({ provider }) => [provider.id, provider.name]))
  // Models that still have no price (one set since then takes them off the list).
  const unpriced = listUnpricedModels(context.db, now - UNPRICED_DAYS * DAY)
    .filter((row) => !findPrice(snapshot, row.provider, row.model))
    .map((row) => ({ ...row, model: upstreamModelOf(row.model) }))
  return { overrides: listPriceOverrides(context.db), providers: [...providers].map(([id, name]) => ({ id, name })), unpriced, ...extra }
}

/** The Settings page's Prices form: set a price for a provider's model (or every model), or remove one. */
export function pricesPages(context: AppContext) {
  const section = (extra: Partial<PricesSectionProps> = {}) => renderFragment(<PricesSection {...pricesSection(context, extra)} />)
  return new Elysia({ name: 'pages/prices' })
    .post('/settings/prices', async ({ request }) => {
      const form = await readForm(request)
      const values = Object.fromEntries(fields.map((name) => [name, field(form, name)]))
      const parsed = priceOverrideSchema.safeParse({
        provider: values.provider,
        model: values.model,
        input: formAmount(values.input),
        output: formAmount(values.output),
        cacheRead: formAmount(values.cacheRead),
        cacheWrite: formAmount(values.cacheWrite),
      })
      if (!parsed.success) return section({ values, errors: fieldErrorsOf(parsed.error.issues, priceErrors) })
      upsertPriceOverride(context.db, parsed.data, context.now())
      invalidatePricing(context.db)
      return section({ notice: `Saved: ${parsed.data.model} at $${parsed.data.input} in, $${parsed.data.output} out per 1M tokens.` })
    })
    .post('/settings/prices/remove', async ({ request }) => {
      const form = await readForm(request)
      if (!deletePriceOverride(context.db, field(form, 'provider'), field(form, 'model'))) return section({ errors: { form: 'That price was already removed.' } })
      invalidatePricing(context.db)
      return section({ notice: 'Removed.' })
    })
}
