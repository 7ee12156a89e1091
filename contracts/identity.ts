// The identity assertion the Grafana plugin backend sends the control service
// on behalf of a Grafana user. Format (documented in README "Identity
// assertion"): a compact JWS, HS256, signed with the secret the plugin and the
// control service share (DCOC_PLUGIN_SECRET / the app's secureJsonData
// `controlSecret`). Claims: iss "gen3-dcoc-app", aud "dcoc-control", sub
// (Grafana login), name, email, role (DCOC role), org (Grafana org id), iat,
// exp, jti; teams (the user's Grafana teams, [{id, name}], optional: older
// plugins send none). role is null for a user whose only access is through
// team grants (contracts/scopes.ts). exp - iat may not exceed MAX_LIFETIME_S; 30 s of clock skew.
// jose signs and verifies; this module adds what the contract is stricter on.
import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { Role } from './roles';
import { TEAMS_MAX, TeamRef } from './scopes';

export const ASSERTION_ISSUER = 'gen3-dcoc-app';
export const ASSERTION_AUDIENCE = 'dcoc-control';
export const MAX_LIFETIME_S = 300;
const SKEW_S = 30;

// No control or invisible characters (a CR/LF would forge lines in logs), and
// no actor name the control service gives other kinds of caller.
const printable = (max: number) => z.string().max(max).regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u, 'must not contain control or invisible characters');
const RESERVED_ACTOR = /^(token|agent|system|anonymous)(:|$)/i;

export const AssertionClaims = z.strictObject({
  iss: z.literal(ASSERTION_ISSUER),
  aud: z.literal(ASSERTION_AUDIENCE),
  sub: printable(200)
    .min(1)
    .refine((s) => s.trim() === s && !RESERVED_ACTOR.test(s), 'must be a Grafana login, not a name DCOC gives other callers (token:, agent:, system, anonymous)'),
  name: printable(200).default(''),
  email: printable(320).default(''),
  role: Role.nullable(),
  org: z.number().int().optional(),
  teams: z.array(TeamRef).max(TEAMS_MAX).optional(),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(8).max(64),
});
export type AssertionClaims = z.infer<typeof AssertionClaims>;

export interface AssertionUser {
  login: string;
  name?: string;
  email?: string;
  /** null: no global role (access only through team grants). */
  role: Role | null;
  orgId?: number;
  teams?: TeamRef[];
}

const key = (secret: string) => new TextEncoder().encode(secret);

export async function signAssertion(user: AssertionUser, secret: string, lifetimeS = 60, nowMs = Date.now()): Promise<string> {
  if (!secret) throw new Error('no shared secret configured for identity assertions');
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ name: user.name ?? '', email: user.email ?? '', role: user.role, ...(user.orgId !== undefined ? { org: user.orgId } : {}), ...(user.teams?.length ? { teams: user.teams } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ASSERTION_ISSUER)
    .setAudience(ASSERTION_AUDIENCE)
    .setSubject(user.login)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.min(lifetimeS, MAX_LIFETIME_S))
    .setJti(globalThis.crypto.randomUUID())
    .sign(key(secret));
}

export class AssertionError extends Error {}

/** Looks like a JWS rather than an opaque API token. */
export function isAssertion(credential: string): boolean {
  return credential.split('.').length === 3;
}

/**
 * Whether a base64url segment is in its one canonical form (RFC 7515 §2: no
 * padding, no other characters, unused bits zero): decoders, jose's among
 * them, ignore the unused bits, so one signature would otherwise have many
 * spellings.
 */
function isCanonicalBase64url(segment: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(segment) || segment.length % 4 === 1) return false;
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

// Header parameters this verifier understands; anything else (crit, jku, kid, ...) is refused.
const ALLOWED_HEADER = new Set(['alg', 'typ']);

/** The assertion's protected header, checked before jose sees the token: jose would accept more than this contract allows. */
function checkHeader(token: string): void {
  let head: unknown;
  try {
    head = decodeProtectedHeader(token);
  } catch {
    throw new AssertionError('malformed assertion header');
  }
  if ((head as { alg?: string }).alg !== 'HS256') throw new AssertionError('assertion must be HS256');
  const unknown = Object.keys(head as object).filter((k) => !ALLOWED_HEADER.has(k));
  if (unknown.length > 0) throw new AssertionError(`assertion header has parameters this service does not understand: ${unknown.join(', ')}`);
  if ((head as { typ?: unknown }).typ !== undefined && (head as { typ?: unknown }).typ !== 'JWT') throw new AssertionError('assertion typ must be JWT');
}

/** jose's refusals in this contract's words (the control service's 401 bodies carry them). */
function assertionErrorOf(err: unknown): AssertionError {
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AssertionError('assertion signature does not verify');
  if (err instanceof errors.JWTExpired) return new AssertionError('assertion expired');
  if (err instanceof errors.JWTClaimValidationFailed) return new AssertionError(`invalid assertion claims: ${err.claim}`);
  if (err instanceof errors.JWTInvalid) return new AssertionError('malformed assertion claims');
  if (err instanceof errors.JOSEError) return new AssertionError('malformed assertion');
  throw err;
}

export async function verifyAssertion(token: string, secret: string, nowMs = Date.now()): Promise<AssertionClaims> {
  if (!secret) throw new AssertionError('identity assertions are not accepted: DCOC_PLUGIN_SECRET is not set');
  const parts = token.split('.');
  if (parts.length !== 3) throw new AssertionError('malformed assertion');
  if (!parts.every(isCanonicalBase64url)) throw new AssertionError('malformed assertion: every part must be canonical base64url');
  checkHeader(token);
  let raw: unknown;
  try {
    ({ payload: raw } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'],
      issuer: ASSERTION_ISSUER,
      audience: ASSERTION_AUDIENCE,
      currentDate: new Date(nowMs),
      // jose refuses exp <= now - tolerance; this contract has always accepted exp == now - SKEW_S.
      clockTolerance: SKEW_S + 1,
    }));
  } catch (err) {
    throw assertionErrorOf(err);
  }
  const parsed = AssertionClaims.safeParse(raw);
  if (!parsed.success) throw new AssertionError(`invalid assertion claims: ${parsed.error.issues[0]?.path.join('.')}`);
  const c = parsed.data;
  const now = Math.floor(nowMs / 1000);
  if (c.exp <= c.iat) throw new AssertionError('assertion expires before it is issued (exp <= iat)');
  if (c.exp - c.iat > MAX_LIFETIME_S) throw new AssertionError(`assertion lifetime exceeds ${MAX_LIFETIME_S} s`);
  if (c.iat > now + SKEW_S) throw new AssertionError('assertion issued in the future');
  return c;
}
