// Verifies the ID token Grafana forwards as X-Grafana-Id (a JWT Grafana signs
// for the requesting user) against Grafana's JWKS at /api/signing-keys/keys,
// as grafana/authlib does before trusting its subject. Without this check a
// browser could send its own X-Grafana-Id and borrow another user's RBAC
// permissions.
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { causeOf, timeoutSignal } from '../control/net';

export class IdTokenError extends Error {}

export interface IdTokenClaims {
  /** The namespaced id, e.g. "user:42" or "service-account:7". */
  sub: string;
  exp: number;
  [claim: string]: unknown;
}

const SKEW_S = 30;
/** Keys are cached like authlib does; an unknown kid refetches, at most this often. */
const KEYS_TTL_MS = 10 * 60_000;
const REFETCH_MIN_MS = 10_000;

const algorithms: Record<string, { hash: string; ec: boolean }> = {
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
  ES512: { hash: 'sha512', ec: true },
  RS256: { hash: 'sha256', ec: false },
  RS384: { hash: 'sha384', ec: false },
  RS512: { hash: 'sha512', ec: false },
};

interface KeySet {
  keys: Map<string, KeyObject>;
  fetchedAt: number;
}

export class IdTokenVerifier {
  private readonly sets = new Map<string, KeySet>();
  private readonly inflight = new Map<string, Promise<KeySet>>();

  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  async verify(token: string, appUrl: string, signal?: AbortSignal, nowMs = Date.now()): Promise<IdTokenClaims> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new IdTokenError('X-Grafana-Id is not a JWT');
    const header = decodeJson(parts[0], 'header') as { alg?: string; kid?: string; typ?: string };
    const alg = algorithms[header.alg ?? ''];
    if (!alg) throw new IdTokenError(`unsupported ID token algorithm ${JSON.stringify(header.alg)}`);
    // Grafana ≥ 11.1 marks ID tokens typ "jwt" (access tokens are "at+jwt"); older ones carry no typ.
    if (header.typ !== undefined && header.typ.toLowerCase() !== 'jwt') throw new IdTokenError(`not an ID token (typ ${header.typ})`);
    if (!header.kid) throw new IdTokenError('ID token names no signing key (kid)');

    const key = await this.key(appUrl, header.kid, signal);
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2], 'base64url');
    const ok = alg.ec ? verify(alg.hash, signed, { key, dsaEncoding: 'ieee-p1363' }, signature) : verify(alg.hash, signed, key, signature);
    if (!ok) throw new IdTokenError('ID token signature does not verify against Grafana signing keys');

    const claims = decodeJson(parts[1], 'claims') as Partial<IdTokenClaims> & { nbf?: unknown };
    const now = Math.floor(nowMs / 1000);
    if (typeof claims.exp !== 'number') throw new IdTokenError('ID token has no expiry');
    if (claims.exp < now - SKEW_S) throw new IdTokenError('ID token expired');
    if (typeof claims.nbf === 'number' && claims.nbf > now + SKEW_S) throw new IdTokenError('ID token not valid yet');
    if (typeof claims.sub !== 'string' || !/^(user|service-account):.+/.test(claims.sub)) {
      throw new IdTokenError('ID token subject is not a user or service account');
    }
    return claims as IdTokenClaims;
  }

  private async key(appUrl: string, kid: string, signal?: AbortSignal): Promise<KeyObject> {
    const url = `${appUrl.replace(/\/+$/, '')}/api/signing-keys/keys`;
    let set = this.sets.get(url);
    const stale = !set || Date.now() - set.fetchedAt > KEYS_TTL_MS;
    const unknownKid = set && !set.keys.has(kid) && Date.now() - set.fetchedAt > REFETCH_MIN_MS;
    if (stale || unknownKid) set = await this.fetchKeys(url, signal);
    const key = set?.keys.get(kid);
    if (!key) throw new IdTokenError(`ID token signed with unknown key ${JSON.stringify(kid)}`);
    return key;
  }

  private fetchKeys(url: string, signal?: AbortSignal): Promise<KeySet> {
    let p = this.inflight.get(url);
    if (!p) {
      p = this.load(url, signal).finally(() => this.inflight.delete(url));
      this.inflight.set(url, p);
    }
    return p;
  }

  private async load(url: string, signal?: AbortSignal): Promise<KeySet> {
    let res: Response;
    try {
      res = await this.fetchImpl(url, { signal: timeoutSignal(signal, 5000), headers: { Accept: 'application/json' } });
    } catch (err) {
      throw new IdTokenError(`cannot fetch Grafana signing keys from ${url}: ${causeOf(err)}`);
    }
    if (!res.ok) throw new IdTokenError(`Grafana signing keys at ${url} answered ${res.status}`);
    const body = (await res.json()) as { keys?: (JsonWebKey & { kid?: string })[] };
    const keys = new Map<string, KeyObject>();
    for (const jwk of body.keys ?? []) {
      if (!jwk.kid) continue;
      try {
        keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
      } catch {
        // A key type we cannot use; tokens signed with it fail as "unknown key".
      }
    }
    const set = { keys, fetchedAt: Date.now() };
    this.sets.set(url, set);
    return set;
  }
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new IdTokenError(`malformed ID token ${what}`);
}
