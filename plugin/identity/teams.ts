// The Grafana teams a user is in, read with the app's service-account token
// (GF_PLUGIN_APP_CLIENT_SECRET) from GET /api/users/:id/teams — grafana/grafana
// pkg/api/user.go GetUserTeams, answering []team.TeamDTO (pkg/services/team/
// model.go at 87bad07d: id, uid, orgId, name, email, avatarUrl, memberCount,
// permission, accessControl). Grafana lists only the teams the service account
// may read (teams:read on teams:*; the team store's ac.Filter) and guards the
// route with users.teams:read (users:read in newer releases) on users:*: the
// app's plugin.json iam declares them. Team grants (contracts/scopes.ts) apply
// through these teams. Cached briefly per user; a failure is the caller's to
// degrade to "no teams", never to more access.
import { createHash } from 'node:crypto';
import { TEAMS_MAX, TeamRef } from '../../contracts/scopes';
import { causeOf, timeoutSignal } from '../control/net';

export const USER_TEAMS_PATH = (id: string) => `/api/users/${id}/teams`;
const CACHE_MS = 30_000;
const TIMEOUT_MS = 5_000;

export class TeamsError extends Error {}

interface Entry {
  teams: TeamRef[];
  expires: number;
}

export class TeamsLookup {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<TeamRef[]>>();

  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  /** The teams of `subject` (the ID token's namespaced id, "user:42"); TeamsError when they cannot be read. */
  async teamsOf(opts: { appUrl: string; token: string; subject: string; signal?: AbortSignal }): Promise<TeamRef[]> {
    const m = /^user:(\d+)$/.exec(opts.subject);
    // A service account is in no team; a subject Grafana names otherwise cannot be looked up by id.
    if (!m) {
      if (opts.subject.startsWith('service-account:')) return [];
      throw new TeamsError(`cannot look up the teams of ${opts.subject}: not a numeric Grafana user id`);
    }
    const key = `${opts.appUrl.replace(/\/+$/, '')}\n${m[1]}\n${createHash('sha256').update(opts.token).digest('hex')}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.teams;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.read(opts, m[1])
        .then((teams) => {
          this.prune();
          this.cache.set(key, { teams, expires: Date.now() + CACHE_MS });
          return teams;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async read(opts: { appUrl: string; token: string; signal?: AbortSignal }, userId: string): Promise<TeamRef[]> {
    const url = `${opts.appUrl.replace(/\/+$/, '')}${USER_TEAMS_PATH(userId)}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, { headers: { Authorization: `Bearer ${opts.token}`, Accept: 'application/json' }, signal: timeoutSignal(opts.signal, TIMEOUT_MS) });
    } catch (err) {
      throw new TeamsError(`cannot reach Grafana's team API at ${opts.appUrl}: ${causeOf(err)}`);
    }
    if (res.status === 401 || res.status === 403) {
      throw new TeamsError(`Grafana refused the app's service account (${res.status}) reading a user's teams: the app's iam permissions (users.teams:read and users:read on users:*, teams:read on teams:*) may be missing; team grants do not apply until they are`);
    }
    if (!res.ok) throw new TeamsError(`Grafana's team API answered ${res.status}`);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new TeamsError("Grafana's team API answered with malformed JSON");
    }
    if (!Array.isArray(body)) throw new TeamsError("Grafana's team API answered with something other than a list of teams");
    const teams: TeamRef[] = [];
    for (const t of body) {
      const parsed = TeamRef.safeParse({ id: (t as { id?: unknown })?.id, name: (t as { name?: unknown })?.name });
      // A team this contract cannot carry is left out: without it the user holds less, never more.
      if (parsed.success) teams.push(parsed.data);
    }
    if (teams.length > TEAMS_MAX) throw new TeamsError(`the user is in ${teams.length} teams; DCOC carries at most ${TEAMS_MAX}`);
    return teams.sort((a, b) => a.id - b.id);
  }

  private prune(): void {
    const now = Date.now();
    for (const [k, v] of this.cache) if (v.expires <= now) this.cache.delete(k);
  }
}
