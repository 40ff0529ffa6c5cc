/**
 * Subscription providers: accounts the user already pays for (or free tiers) used through the
 * official tools' OAuth logins. Each is a routing definition plus OAuth data and a few hooks.
 * @module
 */
import type { SubscriptionProvider } from '../../oauth/types'
import type { ProviderDefinition } from '../types'
import { antigravity } from './antigravity'
import { claudeCode } from './claude-code'
import { codex } from './codex'
import { geminiCli } from './gemini-cli'
import { githubCopilot } from './github-copilot'
import { iflow } from './iflow'
import { kiro } from './kiro'
import { qwenCode } from './qwen-code'

/** Every subscription provider, in catalogue order. */
export const subscriptionProviders: readonly SubscriptionProvider[] = [claudeCode, codex, geminiCli, antigravity, githubCopilot, qwenCode, iflow, kiro]

/** Their routing definitions, for the provider catalogue (`src/providers/index.ts`). */
export const subscriptionDefinitions: readonly ProviderDefinition[] = subscriptionProviders.map((provider) => provider.definition)

/** A subscription provider by id or alias. */
export function getSubscriptionProvider(idOrAlias: string): SubscriptionProvider | undefined {
  return subscriptionProviders.find((provider) => provider.definition.id === idOrAlias || provider.definition.aliases.includes(idOrAlias))
}

/** Whether a provider id names a subscription (OAuth) provider. */
export function isSubscriptionProvider(providerId: string): boolean {
  return subscriptionProviders.some((provider) => provider.definition.id === providerId)
}
