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

export const AssertionClaims = z.strictObject({
  iss: z.literal(ASSERTION_ISSUER),
  aud: z.literal(ASSERTION_AUDIENCE),
  sub: z.string().min(1).max(200),
  name: z.string().max(200).default(''),
  email: z.string().max(320).default(''),
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

export function verifyAssertion(token: string, secret: string, nowMs = Date.now()): AssertionClaims {
  if (!secret) throw new AssertionError('identity assertions are not accepted: DCOC_PLUGIN_SECRET is not set');
  const parts = token.split('.');
  if (parts.length !== 3) throw new AssertionError('malformed assertion');
  const [header, payload, signature] = parts;
  let head: unknown;
  try {
    head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    throw new AssertionError('malformed assertion header');
  }
  if ((head as { alg?: string })?.alg !== 'HS256') throw new AssertionError('assertion must be HS256');
  const expected = mac(secret, `${header}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AssertionError('assertion signature does not verify');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new AssertionError('malformed assertion claims');
  }
  const parsed = AssertionClaims.safeParse(raw);
  if (!parsed.success) throw new AssertionError(`invalid assertion claims: ${parsed.error.issues[0]?.path.join('.')}`);
  const c = parsed.data;
  const now = Math.floor(nowMs / 1000);
  if (c.exp - c.iat > MAX_LIFETIME_S) throw new AssertionError(`assertion lifetime exceeds ${MAX_LIFETIME_S} s`);
  if (c.iat > now + SKEW_S) throw new AssertionError('assertion issued in the future');
  if (c.exp < now - SKEW_S) throw new AssertionError('assertion expired');
  return c;
}
