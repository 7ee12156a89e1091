// CallResource for the app: resolves the caller's DCOC role, answers whoami,
// and forwards the known routes to the control service with a signed
// identity assertion, passing status and body (problem+json included) through.
import type { z } from 'zod';
import type { AppWhoami } from '../../contracts/api';
import { PERMISSIONS, can, type Permission } from '../../contracts/roles';
import { ControlClient } from '../control/client';
import { describeControlError, parseProblem, ControlUnreachable } from '../control/errors';
import { controlSettings } from '../control/settings';
import type { DcocIdentity, IdentityResolver } from '../identity/resolve';
import { jsonResponse, resourceHeader, type CallContext, type CallResourceRequest, type CallResourceResponse } from '../sdk';
import { problemResponse } from './problem';
import { matchRoute } from './routes';

/** Response headers worth passing on; the rest (Location, hop-by-hop, …) describe the control service, not the app. */
/** An audit export's file name and the audit chain's head (contracts/compliance.ts AUDIT_HEAD_HEADER) go to the page too. */
const PASSED_HEADERS = ['content-type', 'cache-control', 'retry-after', 'content-disposition', 'dcoc-audit-head'];

/** The answer to …/resources/whoami, as the page parses it (contracts/api.ts AppWhoami). */
export function whoami(identity: DcocIdentity): z.input<typeof AppWhoami> {
  return {
    user: { login: identity.login, name: identity.name, email: identity.email, orgRole: identity.orgRole },
    role: identity.role,
    roleSource: identity.source,
    permissions: (Object.keys(PERMISSIONS) as Permission[]).filter((p) => !!identity.role && can(identity.role, p)),
    ...(identity.teams?.length ? { teams: identity.teams.map((t) => t.name) } : {}),
    ...(identity.actions ? { actions: identity.actions } : {}),
    ...(identity.rbacUnavailable ? { rbacUnavailable: identity.rbacUnavailable } : {}),
  };
}

export function resourceHandler(resolver: IdentityResolver) {
  return async (req: CallResourceRequest, ctx: CallContext): Promise<CallResourceResponse> => {
    const started = Date.now();
    if (!req.pluginContext.user?.login) return problemResponse(401, 'Unauthenticated', 'the request carries no Grafana user; sign in to Grafana');
    const match = matchRoute(req.method, req.path);
    if (match.kind === 'not-found') return problemResponse(404, 'Not found', `no resource ${req.method} ${req.path}`);
    if (match.kind === 'method-not-allowed') {
      return problemResponse(405, 'Method not allowed', `${req.path} accepts ${match.route.methods.join(', ')}`, { Allow: match.route.methods.join(', ') });
    }

    const resolved = await resolver.resolve({
      pluginContext: req.pluginContext,
      idToken: resourceHeader(req.headers, 'X-Grafana-Id'),
      signal: ctx.signal,
      logger: ctx.logger,
    });
    if (!resolved.ok) return problemResponse(resolved.status, resolved.title, resolved.detail);
    const identity = resolved.identity;
    if (!match.controlPath) return jsonResponse(200, whoami(identity));

    const settings = controlSettings(req.pluginContext);
    if (!settings.ok) return problemResponse(503, 'DCOC app not configured', settings.problem);
    const client = new ControlClient(settings.settings, identity);
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
    let res;
    try {
      res = await client.request(match.method, match.controlPath, {
        query: match.method === 'GET' ? query : undefined,
        body: match.method === 'GET' ? undefined : req.body,
        contentType: resourceHeader(req.headers, 'Content-Type'),
        signal: ctx.signal,
        route: match.route.path,
      });
    } catch (err) {
      if (err instanceof ControlUnreachable) {
        ctx.logger.warn('control service unreachable', { route: match.route.path, reason: err.reason });
        return problemResponse(502, 'Control service unreachable', err.message);
      }
      throw err;
    }
    ctx.logger.debug('resource forwarded', {
      method: match.method,
      route: match.route.path,
      status: res.status,
      user: identity.login,
      role: identity.role,
      ms: Date.now() - started,
    });
    // A 401 means the control service refused the plugin's own credentials; passed on, it would look to
    // Grafana's frontend like the user's session had expired.
    if (res.status === 401) {
      const message = describeControlError(401, parseProblem(res.body), settings.settings);
      ctx.logger.error('control service refused the plugin assertion', { message });
      return problemResponse(502, 'Control service refused the plugin', message);
    }
    const headers: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const v = res.headers.get(name);
      if (v) headers[name.replace(/(^|-)\w/g, (c) => c.toUpperCase())] = v;
    }
    return { status: res.status, headers, body: res.body };
  };
}
