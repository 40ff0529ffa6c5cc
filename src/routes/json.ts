/**
 * JSON helpers shared by the dashboard and management API routes.
 * @module
 */

/** A JSON error answer: `{ error, errors? }` with the given status. */
export function jsonError(status: number, message: string, errors?: Record<string, string>): Response {
  return Response.json(errors ? { error: message, errors } : { error: message }, { status })
}

/** Reads a JSON body without letting a malformed one become a 500 (undefined when it is not JSON). */
export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json()
  } catch {
    return undefined
  }
}
