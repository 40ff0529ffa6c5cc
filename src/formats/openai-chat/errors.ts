import type { ErrorKind, ProxyError } from '../../core/errors'
import type { EncodedError } from '../types'

const typeByKind: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  too_large: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  upstream: 'api_error',
  overloaded: 'api_error',
  timeout: 'timeout_error',
  internal: 'api_error',
}

/**
 * OpenAI error body `{error:{message,type,param,code}}`.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function encodeOpenAIError(error: ProxyError): EncodedError {
  return {
    status: error.status,
    body: {
      error: {
        message: error.message,
        type: typeByKind[error.kind],
        param: error.param ?? null,
        code: error.code ?? null,
      },
    },
  }
}

/**
 * The in-band stream error OpenAI sends mid-stream: `data: {"error":{…}}`.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function encodeOpenAIStreamError(error: Pick<ProxyError, 'status' | 'kind' | 'message'> & { code?: string }): {
  data: string
} {
  return {
    data: JSON.stringify({ error: { message: error.message, type: typeByKind[error.kind], param: null, code: error.code ?? null } }),
  }
}
