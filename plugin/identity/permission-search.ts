// Grafana's permission search API, asked with the app's service-account token
// (GF_PLUGIN_APP_CLIENT_SECRET) for the DCOC actions one user holds: the
// backend half of fine-grained RBAC in app plugins (grafana/authlib
// authz/search_client.go does the same). Answers are cached briefly so a page
// that makes ten calls costs Grafana one search.
import { createHash } from 'node:crypto';
import { causeOf, timeoutSignal } from '../control/net';
import { DCOC_ACTION_PREFIX } from '../../contracts/rbac';

export const SEARCH_PATH = '/api/access-control/users/permissions/search';
const CACHE_MS = 30_000;
const TIMEOUT_MS = 5_000;

export class PermissionSearchError extends Error {
  constructor(
    message: string,
    /** Grafana refused the service account token itself (401/403): a disabled account, not a passing fault. */
    readonly tokenRefused = false,
  ) {
    super(message);
  }
}

interface Entry {
  actions: string[];
  expires: number;
}

export class PermissionSearch {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<string[]>>();

  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  /** The `gen3-dcoc-app.*` actions held by `subject` (a namespaced id such as "user:42"). */
  async actions(opts: { appUrl: string; token: string; subject: string; signal?: AbortSignal }): Promise<string[]> {
    const key = `${opts.appUrl}\n${opts.subject}\n${createHash('sha256').update(opts.token).digest('hex')}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.actions;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.search(opts).then((actions) => {
        this.prune();
        this.cache.set(key, { actions, expires: Date.now() + CACHE_MS });
        return actions;
      });
      p = p.finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async search(opts: { appUrl: string; token: string; subject: string; signal?: AbortSignal }): Promise<string[]> {
    const query = new URLSearchParams({ namespacedId: opts.subject, actionPrefix: DCOC_ACTION_PREFIX });
    const url = `${opts.appUrl.replace(/\/+$/, '')}${SEARCH_PATH}?${query}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        headers: { Authorization: `Bearer ${opts.token}`, Accept: 'application/json' },
        signal: timeoutSignal(opts.signal, TIMEOUT_MS),
      });
    } catch (err) {
      throw new PermissionSearchError(`cannot reach Grafana's permission search at ${opts.appUrl}: ${causeOf(err)}`);
    }
    if (res.status === 401 || res.status === 403) {
      throw new PermissionSearchError(
        `Grafana refused the app's service account token (${res.status}) for the permission search: the app may not be enabled yet (Grafana enables its service account when the app is; save the app's configuration page), or its iam permissions (users.permissions:read on users:*) are missing`,
        true,
      );
    }
    if (!res.ok) throw new PermissionSearchError(`Grafana's permission search answered ${res.status}`);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new PermissionSearchError("Grafana's permission search answered with malformed JSON");
    }
    // { "<numeric user id>": { "<action>": ["<scope>", …] } }
    const actions = new Set<string>();
    if (body && typeof body === 'object') {
      for (const perms of Object.values(body as Record<string, unknown>)) {
        if (perms && typeof perms === 'object') for (const action of Object.keys(perms)) actions.add(action);
      }
    }
    return [...actions].filter((a) => a.startsWith(DCOC_ACTION_PREFIX)).sort();
  }

  private prune(): void {
    const now = Date.now();
    for (const [k, v] of this.cache) if (v.expires <= now) this.cache.delete(k);
  }
}
