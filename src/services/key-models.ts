import { ProxyError } from '../core/errors'
import type { ApiKeyRecord } from '../store/api-keys'
import { keyLimitsOf } from './budgets'
import type { AppContext } from './context'
import { matchesPattern } from './resolve-model'

/**
 * The models a client key may use: `settings.keyLimits[name].models`, else `["*"].models`, as patterns
 * (`*` matches any run of characters) over the name the client sends. Undefined: any model.
 */
export function allowedModelsOf(context: AppContext, apiKey: ApiKeyRecord | null): readonly string[] | undefined {
  return apiKey ? keyLimitsOf(context.registry.settings, apiKey.name).models : undefined
}

/** Whether a model name is among the allowed patterns (every model when there is no list). */
export function isModelAllowed(allowed: readonly string[] | undefined, model: string): boolean {
  return allowed === undefined || allowed.some((pattern) => matchesPattern(pattern, model))
}

/**
 * Whether the client's key may use a model id (every id without a key or a list): for scenarios and the ids an error
 * suggests. The key's list is read on the first question only, so a request that asks none pays nothing.
 */
export function mayUseFor(context: AppContext, apiKey: ApiKeyRecord | null): (id: string) => boolean {
  let allowed: { models: readonly string[] | undefined } | undefined
  return (id) => isModelAllowed((allowed ??= { models: allowedModelsOf(context, apiKey) }).models, id)
}

/** Refuses (403, in the caller's format) a model the client's key may not use, naming what it may use. */
export function checkKeyModel(context: AppContext, apiKey: ApiKeyRecord | null, model: string): void {
  const allowed = allowedModelsOf(context, apiKey)
  if (isModelAllowed(allowed, model)) return
  throw new ProxyError('permission', `API key "${apiKey!.name}" may not use model "${model}"; it may use: ${allowed!.join(', ')}`, {
    param: 'model',
    code: 'model_not_allowed',
  })
}
