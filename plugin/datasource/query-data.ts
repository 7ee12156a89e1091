// QueryData: each query answered with frames from the control service, or
// with an error that says what to fix; one failing query does not fail the others.
import { ControlClient } from '../control/client';
import { ControlHttpError, ControlUnreachable } from '../control/errors';
import { controlSettings } from '../control/settings';
import type { IdentityResolver } from '../identity/resolve';
import { queryModel, type CallContext, type DataQuery, type DataResponse, type Frame, type QueryDataRequest, type QueryDataResponse } from '../sdk';
import { resolveDataSourceIdentity } from './identity';
import { agentsFrames } from './queries/agents';
import { auditFrames } from './queries/audit';
import { commandsFrames } from './queries/commands';
import type { QueryContext } from './queries/context';
import { eventsFrames } from './queries/events';
import { fleetFrames } from './queries/fleet';
import { healthFrames } from './queries/health';
import { kubeEventsFrames } from './queries/kube-events';
import { podLogsFrames } from './queries/pod-logs';
import { servicesFrames } from './queries/services';
import { parseQuery, type QueryType } from './query-model';

const HANDLERS: Record<QueryType, (q: QueryContext) => Promise<Frame[]>> = {
  fleet: fleetFrames,
  services: servicesFrames,
  agents: agentsFrames,
  health: healthFrames,
  events: eventsFrames,
  audit: auditFrames,
  commands: commandsFrames,
  logs: podLogsFrames,
  kubernetesEvents: kubeEventsFrames,
};

export function queryDataHandler(resolver: IdentityResolver) {
  return async (req: QueryDataRequest, ctx: CallContext): Promise<QueryDataResponse> => {
    const fail = (status: number, error: string, errorSource: DataResponse['errorSource'] = 'downstream'): QueryDataResponse => ({
      responses: Object.fromEntries(req.queries.map((q) => [q.refId, { status, error, errorSource }])),
    });
    const settings = controlSettings(req.pluginContext);
    if (!settings.ok) return fail(500, settings.problem, 'plugin');
    const resolved = await resolveDataSourceIdentity(resolver, req.pluginContext, req.headers, ctx.signal, ctx.logger);
    if (!resolved.ok) return fail(resolved.status, resolved.detail);
    const client = new ControlClient(settings.settings, resolved.identity);

    const entries = await Promise.all(req.queries.map(async (q) => [q.refId, await runQuery(client, q, ctx)] as const));
    return { responses: Object.fromEntries(entries) };
  };
}

async function runQuery(client: ControlClient, q: DataQuery, ctx: CallContext): Promise<DataResponse> {
  let model: Record<string, unknown>;
  try {
    model = queryModel(q);
  } catch {
    return { status: 400, error: 'the query is not valid JSON', errorSource: 'downstream' };
  }
  const parsed = parseQuery(model, q.queryType);
  if (!parsed.ok) return { status: 400, error: parsed.error, errorSource: 'downstream' };
  const started = Date.now();
  try {
    const frames = await HANDLERS[parsed.query.queryType]({ client, query: parsed.query, range: q.timeRange, signal: ctx.signal });
    ctx.logger.debug('query answered', { refId: q.refId, queryType: parsed.query.queryType, ms: Date.now() - started });
    return { frames };
  } catch (err) {
    if (err instanceof ControlHttpError) return { status: err.status === 401 ? 502 : err.status, error: err.message, errorSource: 'downstream' };
    if (err instanceof ControlUnreachable) return { status: 502, error: err.message, errorSource: 'downstream' };
    if (ctx.signal.aborted) throw err;
    ctx.logger.error('query failed', { refId: q.refId, queryType: parsed.query.queryType, error: err });
    return { status: 500, error: `the DCOC data source failed: ${err instanceof Error ? err.message : String(err)}`, errorSource: 'plugin' };
  }
}
