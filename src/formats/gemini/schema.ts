import type { JsonSchema } from '../../core/ir'
import { isObject, type JsonObject } from '../../core/json'

/** The keys of Gemini's OpenAPI-subset `Schema`; everything else is rejected or ignored upstream. */
const schemaKeys = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required',
  'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering',
  'default', 'items', 'minimum', 'maximum',
])

/** `format` values Gemini accepts per type (any other value is a 400 INVALID_ARGUMENT). */
const formatsByType: Record<string, ReadonlySet<string>> = {
  string: new Set(['enum', 'date-time']),
  integer: new Set(['int32', 'int64']),
  number: new Set(['float', 'double']),
}

const maxDepth = 24

/**
 * JSON Schema → the subset Gemini accepts in `parameters` / `responseSchema`: local `$ref`s are
 * inlined, `allOf` merged, `oneOf` read as `anyOf`, `["x","null"]` and `anyOf [x, null]` become
 * `nullable`, `const` becomes `enum`, `exclusiveMinimum`/`exclusiveMaximum` become bounds, and keys
 * Gemini rejects (`$schema`, `additionalProperties`, `$defs`…) are dropped. Empty `properties` are
 * removed (Gemini rejects an OBJECT with empty properties) and `required` keeps only known ones.
 * @see https://ai.google.dev/api/caching#Schema
 */
export function cleanGeminiSchema(schema: JsonSchema): JsonObject {
  const definitions = { ...(isObject(schema.definitions) ? schema.definitions : {}), ...(isObject(schema.$defs) ? schema.$defs : {}) }
  return cleanNode(schema, definitions, 0)
}

function resolveReference(reference: string, definitions: JsonObject): JsonObject | undefined {
  const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(reference)
  if (!match) return undefined
  const target = definitions[decodeURIComponent(match[1]).replace(/~1/g, '/').replace(/~0/g, '~')]
  return isObject(target) ? target : undefined
}

function mergeAllOf(node: JsonObject): JsonObject {
  const { allOf, ...rest } = node
  const merged: JsonObject = { ...rest }
  for (const branch of allOf as unknown[]) {
    if (!isObject(branch)) continue
    for (const key in branch) {
      if (key === 'properties' && isObject(branch.properties)) {
        merged.properties = { ...(isObject(merged.properties) ? merged.properties : {}), ...branch.properties }
      } else if (key === 'required' && Array.isArray(branch.required)) {
        merged.required = [...new Set([...(Array.isArray(merged.required) ? merged.required : []), ...branch.required])]
      } else if (!(key in merged)) merged[key] = branch[key]
    }
  }
  return merged
}

function cleanNode(input: unknown, definitions: JsonObject, depth: number): JsonObject {
  if (!isObject(input) || depth > maxDepth) return {}
  let node: JsonObject = input
  if (typeof node.$ref === 'string') {
    const { $ref, ...rest } = node
    const target = resolveReference($ref as string, definitions)
    node = target ? { ...target, ...rest } : rest
    depth++
  }
  if (Array.isArray(node.allOf)) node = mergeAllOf(node)
  const result: JsonObject = {}
  let type = node.type
  if (Array.isArray(type)) {
    const types = type.filter((item) => item !== 'null')
    if (types.length < type.length) result.nullable = true
    if (types.length === 1) type = types[0]
    else {
      type = undefined
      if (types.length > 1) result.anyOf = types.map((item) => ({ type: item }))
    }
  }
  if (typeof type === 'string') result.type = type
  const branches = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined
  if (branches) {
    const kept = branches.filter((branch) => !(isObject(branch) && branch.type === 'null'))
    if (kept.length < branches.length) result.nullable = true
    if (kept.length === 1) Object.assign(result, { ...cleanNode(kept[0], definitions, depth + 1), ...result })
    else if (kept.length > 1) result.anyOf = kept.map((branch) => cleanNode(branch, definitions, depth + 1))
  }
  for (const key in node) {
    if (!schemaKeys.has(key) || key === 'type' || key === 'anyOf' || node[key] === undefined) continue
    const value = node[key]
    if (key === 'properties') {
      if (!isObject(value)) continue
      const properties: JsonObject = {}
      for (const name in value) properties[name] = cleanNode(value[name], definitions, depth + 1)
      if (Object.keys(properties).length > 0) result.properties = properties
    } else if (key === 'items') {
      result.items = cleanNode(Array.isArray(value) ? value[0] : value, definitions, depth + 1)
    } else if (key === 'format') {
      const allowed = typeof result.type === 'string' ? formatsByType[result.type.toLowerCase()] : undefined
      if (allowed?.has(String(value))) result.format = value
    } else if (key === 'enum') {
      if (Array.isArray(value)) result.enum = value
    } else result[key] = value
  }
  if (node.const !== undefined && result.enum === undefined) result.enum = [node.const]
  if (Array.isArray(result.enum)) {
    // Gemini enums are string-only: strings are kept, any other enum is dropped (the type stays)
    if (result.enum.every((item) => typeof item === 'string')) result.type ??= 'string'
    else delete result.enum
  }
  if (typeof node.exclusiveMinimum === 'number' && result.minimum === undefined) result.minimum = node.exclusiveMinimum
  if (typeof node.exclusiveMaximum === 'number' && result.maximum === undefined) result.maximum = node.exclusiveMaximum
  if (Array.isArray(result.required)) {
    const properties = isObject(result.properties) ? result.properties : {}
    const required = result.required.filter((name) => typeof name === 'string' && name in properties)
    if (required.length > 0) result.required = required
    else delete result.required
  }
  return result
}
