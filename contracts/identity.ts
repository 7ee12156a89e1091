// The identity assertion the Grafana plugin backend sends the control service
// on behalf of a Grafana user. Format (documented in README "Identity
// assertion"): a compact JWS, HS256, signed with the secret the plugin and the
// control service share (DCOC_PLUGIN_SECRET / the app's secureJsonData
// `controlSecret`). Claims: iss "gen3-dcoc-app", aud "dcoc-control", sub
// (Grafana login), name, email, role (DCOC role), org (Grafana org id), iat,
// exp, jti. exp - iat may not exceed MAX_LIFETIME_S; 30 s of clock skew.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Role } from './roles';

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
  role: Role,
  org: z.number().int().optional(),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(8).max(64),
});
export type AssertionClaims = z.infer<typeof AssertionClaims>;

export interface AssertionUser {
  login: string;
  name?: string;
  email?: string;
  role: Role;
  orgId?: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function mac(secret: string, input: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

export function signAssertion(user: AssertionUser, secret: string, lifetimeS = 60, nowMs = Date.now()): string {
  if (!secret) throw new Error('no shared secret configured for identity assertions');
  const iat = Math.floor(nowMs / 1000);
  const claims: AssertionClaims = {
    iss: ASSERTION_ISSUER,
    aud: ASSERTION_AUDIENCE,
    sub: user.login,
    name: user.name ?? '',
    email: user.email ?? '',
    role: user.role,
    ...(user.orgId !== undefined ? { org: user.orgId } : {}),
    iat,
    exp: iat + Math.min(lifetimeS, MAX_LIFETIME_S),
    jti: randomUUID(),
  };
  const body = `${HEADER}.${b64url(JSON.stringify(claims))}`;
  return `${body}.${b64url(mac(secret, body))}`;
}

export class AssertionError extends Error {}

/** Looks like a JWS rather than an opaque API token. */
export function isAssertion(credential: string): boolean {
  return credential.split('.').length === 3;
}

/**
 * The bytes of a base64url segment, or undefined unless it is in the one
 * canonical form (RFC 7515 §2: no padding, no other characters, unused bits
 * zero): Node's decoder skips what it does not understand, so one signature
 * would otherwise have many spellings.
 */
function canonicalBase64url(segment: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(segment) || segment.length % 4 === 1) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

// Header parameters this verifier understands; anything else (crit, jku, kid, ...) is refused.
const ALLOWED_HEADER = new Set(['alg', 'typ']);

export function verifyAssertion(token: string, secret: string, nowMs = Date.now()): AssertionClaims {
  if (!secret) throw new AssertionError('identity assertions are not accepted: DCOC_PLUGIN_SECRET is not set');
  const parts = token.split('.');
  if (parts.length !== 3) throw new AssertionError('malformed assertion');
  const [header, payload, signature] = parts;
  const headBytes = canonicalBase64url(header);
  const payloadBytes = canonicalBase64url(payload);
  const given = canonicalBase64url(signature);
  if (!headBytes || !payloadBytes || !given) throw new AssertionError('malformed assertion: every part must be canonical base64url');
  let head: unknown;
  try {
    head = JSON.parse(headBytes.toString('utf8'));
  } catch {
    throw new AssertionError('malformed assertion header');
  }
  if (typeof head !== 'object' || head === null || Array.isArray(head)) throw new AssertionError('malformed assertion header');
  if ((head as { alg?: string }).alg !== 'HS256') throw new AssertionError('assertion must be HS256');
  const unknown = Object.keys(head).filter((k) => !ALLOWED_HEADER.has(k));
  if (unknown.length > 0) throw new AssertionError(`assertion header has parameters this service does not understand: ${unknown.join(', ')}`);
  if ((head as { typ?: unknown }).typ !== undefined && (head as { typ?: unknown }).typ !== 'JWT') throw new AssertionError('assertion typ must be JWT');
  const expected = mac(secret, `${header}.${payload}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AssertionError('assertion signature does not verify');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(payloadBytes.toString('utf8'));
  } catch {
    throw new AssertionError('malformed assertion claims');
  }
  const parsed = AssertionClaims.safeParse(raw);
  if (!parsed.success) throw new AssertionError(`invalid assertion claims: ${parsed.error.issues[0]?.path.join('.')}`);
  const c = parsed.data;
  const now = Math.floor(nowMs / 1000);
  if (c.exp <= c.iat) throw new AssertionError('assertion expires before it is issued (exp <= iat)');
  if (c.exp - c.iat > MAX_LIFETIME_S) throw new AssertionError(`assertion lifetime exceeds ${MAX_LIFETIME_S} s`);
  if (c.iat > now + SKEW_S) throw new AssertionError('assertion issued in the future');
  if (c.exp < now - SKEW_S) throw new AssertionError('assertion expired');
  return c;
}
