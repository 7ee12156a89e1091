// Verifies the ID token Grafana forwards as X-Grafana-Id (a JWT Grafana signs
// for the requesting user) against Grafana's JWKS at /api/signing-keys/keys,
// as grafana/authlib does before trusting its subject. Without this check a
// browser could send its own X-Grafana-Id and borrow another user's RBAC
// permissions. jose verifies the signature and keeps the key set.
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { causeOf } from '../control/net';

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
const FETCH_TIMEOUT_MS = 5000;

const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512'];

export class IdTokenVerifier {
  /** One jose key set per Grafana, which caches, refetches on an unknown kid and shares concurrent fetches. */
  private readonly sets = new Map<string, JWTVerifyGetKey>();

  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  async verify(token: string, appUrl: string, nowMs = Date.now()): Promise<IdTokenClaims> {
    if (token.split('.').length !== 3) throw new IdTokenError('X-Grafana-Id is not a JWT');
    const header = protectedHeader(token);
    if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg)) throw new IdTokenError(`unsupported ID token algorithm ${JSON.stringify(header.alg)}`);
    // Grafana ≥ 11.1 marks ID tokens typ "jwt" (access tokens are "at+jwt"); older ones carry no typ.
    if (header.typ !== undefined && header.typ.toLowerCase() !== 'jwt') throw new IdTokenError(`not an ID token (typ ${header.typ})`);
    if (!header.kid) throw new IdTokenError('ID token names no signing key (kid)');

    let claims: Partial<IdTokenClaims>;
    try {
      ({ payload: claims } = await jwtVerify(token, this.keySet(appUrl), {
        algorithms: ALGORITHMS,
        clockTolerance: SKEW_S,
        requiredClaims: ['exp'],
        currentDate: new Date(nowMs),
      }));
    } catch (err) {
      throw idTokenErrorOf(err, header.kid);
    }
    if (typeof claims.sub !== 'string' || !/^(user|service-account):.+/.test(claims.sub)) {
      throw new IdTokenError('ID token subject is not a user or service account');
    }
    return claims as IdTokenClaims;
  }

  private keySet(appUrl: string): JWTVerifyGetKey {
    const url = `${appUrl.replace(/\/+$/, '')}/api/signing-keys/keys`;
    let set = this.sets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), {
        cacheMaxAge: KEYS_TTL_MS,
        cooldownDuration: REFETCH_MIN_MS,
        timeoutDuration: FETCH_TIMEOUT_MS,
        [customFetch]: (input: string, init: RequestInit) => this.fetchKeys(url, input, init),
      });
      this.sets.set(url, set);
    }
    return set;
  }

  /** Grafana's answer, or an IdTokenError saying why there is none (jose passes errors from here on unchanged). */
  private async fetchKeys(url: string, input: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchImpl(input, { ...init, headers: { Accept: 'application/json' } });
    } catch (err) {
      throw new IdTokenError(`cannot fetch Grafana signing keys from ${url}: ${causeOf(err)}`);
    }
    if (!res.ok) throw new IdTokenError(`Grafana signing keys at ${url} answered ${res.status}`);
    return res;
  }
}

function protectedHeader(token: string): { alg?: unknown; kid?: string; typ?: string } {
  try {
    return decodeProtectedHeader(token) as { alg?: unknown; kid?: string; typ?: string };
  } catch {
    throw new IdTokenError('malformed ID token header');
  }
}

/** jose's refusals in the words the plugin's 401 bodies have always used. */
function idTokenErrorOf(err: unknown, kid: string): Error {
  if (err instanceof IdTokenError) return err;
  if (err instanceof errors.JWKSNoMatchingKey) return new IdTokenError(`ID token signed with unknown key ${JSON.stringify(kid)}`);
  if (err instanceof errors.JWSSignatureVerificationFailed) return new IdTokenError('ID token signature does not verify against Grafana signing keys');
  if (err instanceof errors.JWTExpired) return new IdTokenError('ID token expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'exp') return new IdTokenError('ID token has no expiry');
    if (err.claim === 'nbf') return new IdTokenError('ID token not valid yet');
    return new IdTokenError(`ID token claim ${err.claim} is invalid`);
  }
  if (err instanceof errors.JWTInvalid) return new IdTokenError('malformed ID token claims');
  if (err instanceof errors.JWKSInvalid || err instanceof errors.JWKSTimeout || err instanceof errors.JOSEError) return new IdTokenError(`cannot use Grafana signing keys: ${err.message}`);
  return err instanceof Error ? err : new Error(String(err));
}
