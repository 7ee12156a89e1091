// Who the data source acts as: the Grafana user of the request, or, for
// requests Grafana itself makes (alert rule evaluations as grafana-alerting,
// other user-less requests as grafana-server), a service identity with the
// role set in the data source's jsonData `serviceRole` (default developer:
// read-only, and enough for every query but audit).
import { Role } from '../../contracts/roles';
import { safeJsonData, type IdentityResolver, type Resolution } from '../identity/resolve';
import { forwardedHeader, type Logger, type PluginContext } from '../sdk';

export const SERVICE_LOGIN = 'grafana-server';
const DEFAULT_SERVICE_ROLE: Role = 'developer';

export function serviceRole(ctx: PluginContext, logger?: Logger): Role {
  const configured = safeJsonData(ctx.dataSourceInstanceSettings).serviceRole;
  if (configured === undefined) return DEFAULT_SERVICE_ROLE;
  const r = Role.safeParse(configured);
  if (r.success) return r.data;
  logger?.warn('ignoring invalid serviceRole', { serviceRole: configured });
  return DEFAULT_SERVICE_ROLE;
}

/** Who alert rule evaluations act as (and are audited as) in the control service. */
export const ALERTING_LOGIN = 'grafana-alerting';
// Grafana evaluates alert rules as this background user, with org role Admin
// (pkg/services/ngalert/schedule: SchedulerUserFor), and marks the request with
// the plain header FromAlert: true (ngalert models.FromAlertHeaderName).
const SCHEDULER_LOGIN = 'grafana_scheduler';

/** An alert rule evaluation: Grafana's scheduler user and its FromAlert header, both as Grafana sets them. */
export function isAlertEvaluation(ctx: PluginContext, headers: Record<string, string>): boolean {
  const fromAlert = Object.entries(headers).some(([k, v]) => k.toLowerCase() === 'fromalert' && v.toLowerCase() === 'true');
  return fromAlert && ctx.user?.login === SCHEDULER_LOGIN;
}

export function resolveDataSourceIdentity(
  resolver: IdentityResolver,
  ctx: PluginContext,
  headers: Record<string, string>,
  signal: AbortSignal,
  logger: Logger,
): Promise<Resolution> {
  // The scheduler's Admin org role is not a person's: an evaluation gets the data source's serviceRole, like any request without a user.
  const alerting = isAlertEvaluation(ctx, headers);
  return resolver.resolve({
    pluginContext: alerting ? { ...ctx, user: undefined } : ctx,
    idToken: alerting ? undefined : forwardedHeader(headers, 'X-Grafana-Id'),
    signal,
    logger,
    serviceIdentity: alerting ? { login: ALERTING_LOGIN, name: 'Grafana alerting', role: serviceRole(ctx, logger) } : { login: SERVICE_LOGIN, role: serviceRole(ctx, logger) },
  });
}
