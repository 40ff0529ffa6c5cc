/**
 * Scenario routing: `settings.routing.scenarios` sends a request with some trait (a long prompt, images,
 * extended thinking, a hosted web search) to another model, combo or alias than the one it named — the way
 * claude-code-router's `longContext`, `think`, `image` and `webSearch` routes do, for every client format.
 * @module
 */
import type { ChatRequest } from '../core/ir'
import { asksForThinking, carriesImages, estimatePromptTokens, type RequestTrait } from '../core/request-traits'
import type { Settings } from '../config/file'
import { wantsWebSearch } from '../formats/hosted-tools'
import { matchesPattern } from './resolve-model'

/** One scenario rule as configured. */
export type ScenarioRule = NonNullable<NonNullable<Settings['routing']>['scenarios']>[number]

/** The prompt size from which a long-context rule applies when it sets no `minTokens`. */
export const DEFAULT_LONG_CONTEXT_TOKENS = 60_000

/** What a rule looks for, in words: "has a long prompt (100,000+ tokens)", "holds an image"… */
export function describeScenario(rule: Pick<ScenarioRule, 'when' | 'minTokens'>): string {
  switch (rule.when) {
    case 'long-context':
      return `has a long prompt (${(rule.minTokens ?? DEFAULT_LONG_CONTEXT_TOKENS).toLocaleString('en-US')}+ tokens)`
    case 'web-search':
      return 'offers a hosted web search'
    case 'images':
      return 'holds an image'
    case 'thinking':
      return 'asks for extended thinking'
  }
}

/** Whether a request has the trait a rule names (the prompt estimate is computed at most once per request). */
function hasTrait(trait: RequestTrait, request: ChatRequest, rule: ScenarioRule, estimate: () => number): boolean {
  switch (trait) {
    case 'images':
      return carriesImages(request)
    case 'thinking':
      return asksForThinking(request)
    case 'web-search':
      return wantsWebSearch(request)
    case 'long-context':
      return estimate() >= (rule.minTokens ?? DEFAULT_LONG_CONTEXT_TOKENS)
  }
}

/**
 * The first rule that applies to a request for `model`: its `match` pattern covers the name, `usable` accepts its
 * target (it resolves, and a client key limited to some models is not routed out of them), and the request has its
 * trait. The request is decoded only when some rule could apply; one that cannot be read as a chat request
 * (`decode` throws) is routed as named.
 */
export function pickScenario(rules: readonly ScenarioRule[] | undefined, model: string, decode: () => ChatRequest, usable: (target: string) => boolean): ScenarioRule | undefined {
  const applicable = rules?.filter((rule) => rule.model !== model && (rule.match === undefined || matchesPattern(rule.match, model)) && usable(rule.model))
  if (!applicable || applicable.length === 0) return undefined
  let request: ChatRequest
  try {
    request = decode()
  } catch {
    return undefined
  }
  let estimated: number | undefined
  const estimate = () => (estimated ??= estimatePromptTokens(request))
  return applicable.find((rule) => hasTrait(rule.when, request, rule, estimate))
}
