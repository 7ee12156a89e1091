// CheckHealth for the app and the data source: OK only when the control
// service answers and accepts the plugin's signed assertion; otherwise ERROR
// with what to fix.
import type { AssertionUser } from '../../contracts/identity';
import type { Resolution } from '../identity/resolve';
import type { CheckHealthResult, PluginContext } from '../sdk';
import { ControlClient } from './client';
import { ControlHttpError, ControlUnreachable } from './errors';
import { controlSettings } from './settings';
import { ROUTES } from '../../contracts/routes';

export async function checkControlHealth(ctx: PluginContext, identity: AssertionUser, signal: AbortSignal): Promise<CheckHealthResult> {
  const s = controlSettings(ctx);
  if (!s.ok) return { status: 'ERROR', message: s.problem };
  const client = new ControlClient(s.settings, identity);
  try {
    const who = await client.getRoute(ROUTES.whoami, { signal, route: 'whoami', timeoutMs: 5000 });
    const fleet = await client.getRoute(ROUTES.listCommons, { signal, route: 'commons', timeoutMs: 5000 });
    const healthy = fleet.items.filter((c) => c.status === 'healthy').length;
    return {
      status: 'OK',
      message: `connected to the DCOC control service at ${s.settings.url} as ${who.actor} (${who.role ?? 'no global role; team grants only'}): ${fleet.items.length} commons, ${healthy} healthy`,
      details: { controlUrl: s.settings.url, actor: who.actor, role: who.role, commons: fleet.items.length, healthy },
    };
  } catch (err) {
    if (err instanceof ControlUnreachable || err instanceof ControlHttpError) {
      return { status: 'ERROR', message: err.message, details: { controlUrl: s.settings.url } };
    }
    throw err;
  }
}

/**
 * CheckHealth as the caller: health is about the connection and the secret,
 * so a caller without a DCOC role is checked as a plain viewer; a broken role
 * resolution (Grafana's permission search failing) is itself an ERROR.
 */
export async function checkHealthAs(resolution: Resolution, ctx: PluginContext, signal: AbortSignal): Promise<CheckHealthResult> {
  if (!resolution.ok && resolution.status === 502) return { status: 'ERROR', message: resolution.detail };
  const who = resolution.ok ? resolution.identity : { login: 'grafana-health-check', role: 'viewer' as const, orgId: ctx.orgId };
  const result = await checkControlHealth(ctx, who, signal);
  const why = resolution.ok ? resolution.identity.rbacUnavailable : undefined;
  if (!why) return result;
  // Working, but not as configured: say so where an admin looks.
  return { ...result, message: `${result.message}. Roles come from the org-role mapping, not Grafana RBAC: ${why}`, details: { ...(result.details as Record<string, unknown> | undefined), roleSource: 'org-role', rbacUnavailable: why } };
}
