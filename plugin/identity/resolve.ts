// Who is calling and with which DCOC role. With a service-account token and
// the app URL from Grafana, and the user's ID token (X-Grafana-Id), the role
// comes from the user's gen3-dcoc-app.* RBAC actions (Grafana's permission
// search); otherwise from the org role through the configured mapping. With
// the same token the user's Grafana teams are read, for team grants (scoped
// roles): a user with no DCOC role may still hold grants through a team.
import type { Role } from '../../contracts/roles';
import type { TeamRef } from '../../contracts/scopes';
import { parseJsonData, type Logger, type PluginContext } from '../sdk';
import { IdTokenError, IdTokenVerifier } from './id-token';
import { roleForOrgRole, roleMapping } from './org-role';
import { PermissionSearch, PermissionSearchError } from './permission-search';
import { TeamsError, TeamsLookup } from './teams';
import { roleFromActions } from '../../contracts/rbac';

export interface DcocIdentity {
  login: string;
  name: string;
  email: string;
  /** The Grafana org role as Grafana sent it ("" for a service identity). */
  orgRole: string;
  orgId: number;
  /** The global DCOC role; null when the user's access comes only from team grants. */
  role: Role | null;
  /** The user's Grafana teams (read only with Grafana RBAC: the service account's token). */
  teams?: TeamRef[];
  /** Where the role came from. */
  source: 'rbac' | 'org-role' | 'service';
  /** The RBAC actions found, when source is "rbac". */
  actions?: string[];
  /** Why Grafana RBAC could not be used and the org-role mapping applied instead. */
  rbacUnavailable?: string;
}

export interface IdentityRefusal {
  status: 401 | 403 | 502;
  title: string;
  detail: string;
}

export type Resolution = { ok: true; identity: DcocIdentity } | ({ ok: false } & IdentityRefusal);

export interface ResolveInput {
  pluginContext: PluginContext;
  /** The X-Grafana-Id header of the request, if any. */
  idToken?: string;
  signal?: AbortSignal;
  logger?: Logger;
  /** Who to act as when Grafana itself makes the request (no user, e.g. alerting); refused with 401 when absent. */
  serviceIdentity?: { login: string; role: Role; name?: string };
}

/** Grafana passes these in the PluginContext's grafanaConfig (newer) and in the process environment. */
function grafanaSetting(ctx: PluginContext, key: string): string | undefined {
  return ctx.grafanaConfig[key] || process.env[key] || undefined;
}

export class IdentityResolver {
  constructor(
    private readonly search = new PermissionSearch(),
    private readonly verifier = new IdTokenVerifier(),
    private readonly teams = new TeamsLookup(),
  ) {}

  async resolve(input: ResolveInput): Promise<Resolution> {
    const ctx = input.pluginContext;
    const user = ctx.user;
    if (!user || !user.login) {
      if (input.serviceIdentity) {
        const { login, role, name = 'Grafana server' } = input.serviceIdentity;
        return { ok: true, identity: { login, name, email: '', orgRole: '', orgId: ctx.orgId, role, source: 'service' } };
      }
      return { ok: false, status: 401, title: 'Unauthenticated', detail: 'the request carries no Grafana user; sign in to Grafana' };
    }
    const base = { login: user.login, name: user.name, email: user.email, orgRole: user.role, orgId: ctx.orgId };

    const token = grafanaSetting(ctx, 'GF_PLUGIN_APP_CLIENT_SECRET');
    const appUrl = grafanaSetting(ctx, 'GF_APP_URL');
    if (token && appUrl && input.idToken) {
      let subject: string;
      try {
        subject = (await this.verifier.verify(input.idToken, appUrl)).sub;
      } catch (err) {
        if (!(err instanceof IdTokenError)) throw err;
        return { ok: false, status: 401, title: 'Unauthenticated', detail: `the Grafana ID token (X-Grafana-Id) was refused: ${err.message}` };
      }
      let actions: string[] | undefined;
      const teams = this.teamsOf({ appUrl, token, subject, signal: input.signal }, input.logger);
      try {
        actions = await this.search.actions({ appUrl, token, subject, signal: input.signal });
      } catch (err) {
        if (!(err instanceof PermissionSearchError)) throw err;
        input.logger?.warn('RBAC permission search failed', { error: err.message, fallback: err.tokenRefused ? 'org-role mapping' : 'none' });
        // A refused token is a state (an app installed without provisioning has its service account
        // disabled until the app is enabled): the org role applies. Anything else may pass: 502.
        if (!err.tokenRefused) return { ok: false, status: 502, title: 'Cannot resolve permissions', detail: err.message };
        return this.byOrgRole(input, base, err.message);
      }
      const role = roleFromActions(actions);
      const userTeams = await teams;
      // No role: the control service decides from the teams' grants; no teams either: nothing to decide.
      if (!role && userTeams.length === 0) {
        return {
          ok: false,
          status: 403,
          title: 'Forbidden',
          detail: `${user.login} holds no DCOC role in Grafana (needs at least gen3-dcoc-app.commons:read) and is in no Grafana team; ask a Grafana admin for access`,
        };
      }
      return { ok: true, identity: { ...base, role, source: 'rbac', actions, ...(userTeams.length ? { teams: userTeams } : {}) } };
    }

    return this.byOrgRole(input, base);
  }

  /** The user's teams; none (with a log line) when Grafana cannot say: less access, never more. */
  private async teamsOf(opts: { appUrl: string; token: string; subject: string; signal?: AbortSignal }, logger?: Logger): Promise<TeamRef[]> {
    try {
      return await this.teams.teamsOf(opts);
    } catch (err) {
      logger?.warn("cannot read the user's Grafana teams; team grants do not apply to this request", { error: err instanceof TeamsError ? err.message : String(err) });
      return [];
    }
  }

  /** The role from the user's org role through the configured mapping. */
  private byOrgRole(input: ResolveInput, base: Omit<DcocIdentity, 'role' | 'source'>, rbacUnavailable?: string): Resolution {
    const settings = input.pluginContext.appInstanceSettings ?? input.pluginContext.dataSourceInstanceSettings;
    const { mapping, problems } = roleMapping(safeJsonData(settings).roleMapping);
    if (problems.length) input.logger?.warn('ignoring invalid roleMapping entries', { problems });
    const role = roleForOrgRole(base.orgRole, mapping);
    if (!role) {
      return {
        ok: false,
        status: 403,
        title: 'Forbidden',
        detail: `the Grafana org role ${JSON.stringify(base.orgRole)} of ${base.login} maps to no DCOC role; ask a Grafana admin for access`,
      };
    }
    return { ok: true, identity: { ...base, role, source: 'org-role', ...(rbacUnavailable ? { rbacUnavailable } : {}) } };
  }
}

/** Settings jsonData, or {} when it is not a JSON object (a broken setting must not take the plugin down). */
export function safeJsonData(settings: { jsonData: Uint8Array } | undefined): Record<string, unknown> {
  try {
    const v = parseJsonData<unknown>(settings);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
