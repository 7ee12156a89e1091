// Who the data source acts as: the Grafana user of the request, or, for
// requests Grafana itself makes (alert rules, recording rules), a service
// identity with the role set in the data source's jsonData `serviceRole`
// (default developer: read-only, and enough for every query but audit).
import { Role } from '../../backend/contracts/roles';
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

export function resolveDataSourceIdentity(
  resolver: IdentityResolver,
  ctx: PluginContext,
  headers: Record<string, string>,
  signal: AbortSignal,
  logger: Logger,
): Promise<Resolution> {
  return resolver.resolve({
    pluginContext: ctx,
    idToken: forwardedHeader(headers, 'X-Grafana-Id'),
    signal,
    logger,
    serviceIdentity: { login: SERVICE_LOGIN, role: serviceRole(ctx, logger) },
  });
}
