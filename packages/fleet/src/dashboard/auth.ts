// Admin-only access: one admin token (compared in constant time) logs in and gets a session cookie
// (HttpOnly, SameSite=Strict, random 256-bit id, idle expiry). Every state-changing request also needs the
// session's CSRF token in `X-CSRF-Token` and a same-origin `Origin`, so a cross-site form can never post.
// Failed logins are rate-limited per client address.
import { createError } from '@tidemark/core';
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'tidemark_session';

export interface Session {
  id: string;
  csrf: string;
  expires: number;
}

export interface AuthOptions {
  adminToken: string;
  /** Idle lifetime of a session. Default 8 h. */
  sessionTtlMs?: number;
  /** Failed logins allowed per address per minute. Default 10. */
  maxFailuresPerMinute?: number;
  clock?: () => number;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const raw = part.slice(at + 1).trim();
    // A malformed escape (`%E0%A4%A`) is somebody else's cookie or an attack: keep it raw, never throw.
    try {
      out[part.slice(0, at).trim()] = decodeURIComponent(raw);
    } catch {
      out[part.slice(0, at).trim()] = raw;
    }
  }
  return out;
}

export function createAuth(options: AuthOptions) {
  if (options.adminToken.length < 12)
    throw createError('fleet', 'the dashboard admin token must have at least 12 characters');
  const clock = options.clock ?? Date.now;
  const ttl = options.sessionTtlMs ?? 8 * 3600_000;
  const sessions = new Map<string, Session>();
  const failures = new Map<string, number[]>();
  const expected = digest(options.adminToken);

  return {
    /**
     * Takes one login attempt for this address, synchronously, before the request's body is read: counted as
     * a failure until `login` succeeds, so a burst of concurrent guesses cannot all pass the check while their
     * bodies are still arriving. False when the address is over its limit for the last minute.
     */
    beginAttempt(address: string): boolean {
      const recent = (failures.get(address) ?? []).filter((t) => clock() - t < 60_000);
      if (recent.length >= (options.maxFailuresPerMinute ?? 10)) {
        failures.set(address, recent);
        return false;
      }
      failures.set(address, [...recent, clock()]);
      return true;
    },
    /** Checks the token of an attempt taken with `beginAttempt`; a success gives the attempt back. */
    login(token: string, address: string): Session | null {
      // Hashing first makes the comparison constant-time whatever the length of the guess.
      if (!timingSafeEqual(digest(token), expected)) return null;
      failures.set(address, (failures.get(address) ?? []).slice(0, -1));
      const session: Session = {
        id: randomBytes(32).toString('base64url'),
        csrf: randomBytes(32).toString('base64url'),
        expires: clock() + ttl,
      };
      sessions.set(session.id, session);
      return session;
    },
    sessionOf(req: IncomingMessage): Session | null {
      const id = parseCookies(req.headers.cookie)[SESSION_COOKIE];
      if (!id) return null;
      const session = sessions.get(id);
      if (!session) return null;
      if (session.expires < clock()) {
        sessions.delete(id);
        return null;
      }
      session.expires = clock() + ttl;
      return session;
    },
    logout(session: Session): void {
      sessions.delete(session.id);
    },
    /** The POST came from our own page: same-origin Origin (when sent) and the session's CSRF token. */
    csrfOk(req: IncomingMessage, session: Session): boolean {
      if (!sameOrigin(req)) return false;
      const given = String(req.headers['x-csrf-token'] ?? '');
      return given.length === session.csrf.length && timingSafeEqual(Buffer.from(given), Buffer.from(session.csrf));
    },
    cookie(session: Session | null, secure: boolean): string {
      const flags = `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
      return session
        ? `${SESSION_COOKIE}=${session.id}; ${flags}; Max-Age=${Math.floor(ttl / 1000)}`
        : `${SESSION_COOKIE}=; ${flags}; Max-Age=0`;
    },
    get sessionCount() {
      return sessions.size;
    },
  };
}

/** Origin (or, without it, Referer) must name this host; browsers always send Origin on a cross-site POST. */
export function sameOrigin(req: IncomingMessage): boolean {
  const host = req.headers.host;
  // A malformed Origin or Referer is refused (false), never an exception.
  try {
    const origin = req.headers.origin ?? (req.headers.referer ? new URL(req.headers.referer).origin : undefined);
    if (!origin) return true; // not a browser cross-site request (curl, tests); the CSRF token still applies
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export type Auth = ReturnType<typeof createAuth>;
