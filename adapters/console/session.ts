import { hkdfSync } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ConsoleIdentity } from '../../src/domain/console-access.js';
import type { LoginChecks } from './identity-provider.js';

/** A session lasts this long from sign-in, however busy: then the person signs in again (and their groups are read again). */
export const SESSION_MS = 8 * 60 * 60_000;
/** The time a person has at the IdP between /console/login and /console/callback. */
export const LOGIN_MS = 10 * 60_000;

export interface SignedIn {
  who: ConsoleIdentity;
  /** Milliseconds since the epoch, by the console's clock. */
  signedInAt: number;
  expiresAt: number;
  /** The ID token of the sign-in, for the IdP's end-session endpoint at sign-out; absent when it was too long to keep (`keptIdToken`). */
  idToken?: string;
}

/**
 * The longest ID token the session keeps. The whole session is one cookie,
 * and a browser drops a cookie over 4 KB (then the person cannot stay signed
 * in at all); an ID token is typically 1 to 1.5 KB, but one carrying every
 * group the IdP lists can be larger than that limit on its own. Without it
 * sign-out still ends the IdP session, naming the console by its client id;
 * the IdP may then ask the person to confirm.
 */
export const ID_TOKEN_KEPT_MAX = 1_600;

export const keptIdToken = (idToken: string): string | undefined => (idToken.length <= ID_TOKEN_KEPT_MAX ? idToken : undefined);

/** A sign-in under way: the checks the IdP's answer must pass, and where to go after. */
export interface LoginAttempt extends LoginChecks {
  next: string;
  startedAt: number;
}

/** One line shown once on the next page (the outcome of a review). */
export interface Flash {
  tone: 'ok' | 'refused';
  text: string;
}

declare module '@fastify/secure-session' {
  interface SessionData {
    signedIn: SignedIn;
    login: LoginAttempt;
    flash: Flash;
  }
}

/**
 * The session cookie's key: derived from AIRLOCK_SECRET with HKDF under a
 * label of its own, so it is never the key of anything else (argument
 * digests, list cursors) and the secret itself never leaves the process.
 */
export const sessionKey = (secret: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'airlock', 'airlock web console session cookie v1', 32));

/** The signed-in person, when the session holds one that has not expired by `now` (checked here, by the server). */
export function signedIn(req: FastifyRequest, now: number): SignedIn | undefined {
  const s = req.session.get('signedIn');
  return s && typeof s.expiresAt === 'number' && now < s.expiresAt ? s : undefined;
}

/** Where a sign-in may send the browser afterwards: a console page of this server, nothing else. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/console(\/[A-Za-z0-9._~%/-]*)?(\?[A-Za-z0-9._~%&=+-]*)?$/.test(next) && !next.includes('//') ? next : '/console';
}
