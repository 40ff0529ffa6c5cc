/**
 * Logins in progress, kept by the OAuth service (one per app) so every caller — the public
 * `/api/oauth` routes, the dashboard's in-process copy of them, the CLI — sees the same ones:
 * authorization-code attempts (PKCE verifier, redirect), device-code grants, and the logins a local
 * callback listener is waiting for, with that listener so it can be closed as soon as the login ends.
 * @module
 */
import type { CallbackListener } from './callback-listener'

/** A started authorization-code login: what the code exchange needs back. */
export interface PendingAuthorization {
  provider: string
  codeVerifier?: string
  redirectUri: string
  expiresAt: number
}

/** A started device-code login: what the polls need back. */
export interface PendingDevice {
  provider: string
  codeVerifier?: string
  extra?: Record<string, unknown>
  expiresAt: number
}

/** The account a finished login saved, as the dashboard shows it. */
export interface LoginConnection {
  id: number
  name: string
  provider: string
  email?: string
}

/**
 * Where a login caught by a local callback listener stands: `pending` while the listener waits,
 * `done` or `error` once a code arrived (or was pasted), `expired` when the listener gave up.
 */
export interface ListenedLogin {
  status: 'pending' | 'done' | 'error' | 'expired'
  connection?: LoginConnection
  error?: string
}

/** How long a started login is remembered. */
export const PENDING_TTL_MS = 15 * 60_000

/** Creates the store of logins in progress. */
export function createPendingLogins(now: () => number) {
  const authorizations = new Map<string, PendingAuthorization>()
  const devices = new Map<string, PendingDevice>()
  const listened = new Map<string, ListenedLogin & { at: number; listener?: CallbackListener }>()

  const closeListener = (state: string) => {
    const entry = listened.get(state)
    entry?.listener?.close()
    if (entry) entry.listener = undefined
  }

  return {
    /** Authorization-code attempts by state. */
    authorizations,
    /** Device-code grants by device code. */
    devices,
    /** Forgets attempts past their expiry (and closes their listeners). */
    sweep(): void {
      const time = now()
      for (const [key, value] of authorizations) if (value.expiresAt < time) authorizations.delete(key)
      for (const [key, value] of devices) if (value.expiresAt < time) devices.delete(key)
      for (const [state, entry] of listened) {
        if (time - entry.at <= PENDING_TTL_MS) continue
        closeListener(state)
        listened.delete(state)
      }
    },
    /** Registers a login a local listener waits for. */
    listen(state: string, listener: CallbackListener): void {
      listened.set(state, { status: 'pending', at: now(), listener })
    },
    /** Records how a listened login ended; its listener is closed at once (frees a fixed port such as Codex's 1455) unless `close` is false. */
    settle(state: string, outcome: ListenedLogin, close = true): void {
      const entry = listened.get(state)
      if (!entry) return
      // A login that already ended (a pasted code won) keeps its outcome.
      if (entry.status !== 'pending') return
      if (close) closeListener(state)
      listened.set(state, { ...outcome, at: now() })
    },
    /** Whether a local listener is still waiting for this login. */
    isListening(state: string): boolean {
      return listened.get(state)?.status === 'pending'
    },
    /** A listened login's status, without internals; undefined when unknown or forgotten. */
    status(state: string): ListenedLogin | undefined {
      const entry = listened.get(state)
      if (!entry) return undefined
      const { at: _at, listener: _listener, ...rest } = entry
      return rest
    },
  }
}

/** The store of logins in progress. */
export type PendingLogins = ReturnType<typeof createPendingLogins>
