// health: what alert rules watch, as a numeric-wide frame (Grafana's
// dataplane contract): one row measured now, and per commons the numbers
// services_down, agent_silence_seconds and commands_failed, each labelled
// with commons and environment. A time field carries the measurement time.
import type { CommonsSummary } from '../../../contracts/api';
import { ControlHttpError } from '../../control/errors';
import type { Field, Frame, Notice } from '../../sdk';
import { HEALTH_METRICS, type HealthMetric } from '../query-model';
import { commonsDetails, type QueryContext } from './context';
import { FAILED_COMMAND_STATES } from '../../../contracts/states';
import { ROUTES } from '../../../contracts/routes';

const COMMANDS_PAGE = 1000;

const DESCRIPTIONS: Record<HealthMetric, { unit: string; description: string }> = {
  services_down: { unit: 'none', description: 'Services of the commons whose status is down' },
  agent_silence_seconds: { unit: 's', description: "Seconds since the commons' agent was last heard from (empty when never heard since the control service started)" },
  commands_failed: { unit: 'none', description: 'Commands for the commons that failed or expired in the time range' },
};

type Values = Map<string, number | null>;

export async function healthFrames(q: QueryContext): Promise<Frame[]> {
  const metrics = q.query.metric ? [q.query.metric] : [...HEALTH_METRICS];
  const { items } = await q.client.getRoute(ROUTES.listCommons, { signal: q.signal, route: 'commons' });
  const fleet = q.query.commons ? items.filter((c) => c.id === q.query.commons) : items;
  const now = new Date();
  const notices: Notice[] = [];
  const values = new Map<HealthMetric, Values>();

  if (metrics.includes('services_down')) values.set('services_down', await servicesDown(q, fleet));
  if (metrics.includes('agent_silence_seconds')) {
    values.set(
      'agent_silence_seconds',
      new Map(fleet.map((c) => [c.id, c.agent.lastSeen ? Math.max(0, (now.getTime() - Date.parse(c.agent.lastSeen)) / 1000) : null])),
    );
  }
  if (metrics.includes('commands_failed')) values.set('commands_failed', await commandsFailed(q, fleet, notices));

  const fields: Field[] = [{ name: 'time', type: 'time', values: [now] }];
  for (const metric of metrics) {
    for (const c of fleet) {
      fields.push({
        name: metric,
        type: 'float64',
        nullable: true,
        labels: { commons: c.id, environment: c.environment },
        config: DESCRIPTIONS[metric],
        values: [values.get(metric)?.get(c.id) ?? null],
      });
    }
  }
  return [{ name: 'health', meta: { type: 'numeric-wide', typeVersion: [0, 1], ...(notices.length ? { notices } : {}) }, fields }];
}

async function servicesDown(q: QueryContext, fleet: CommonsSummary[]): Promise<Values> {
  // The summary only counts healthy services; the status of each needs the details.
  const details = await commonsDetails(q, fleet);
  return new Map(details.map((d) => [d.id, d.services.filter((s) => s.status === 'down').length]));
}

async function commandsFailed(q: QueryContext, fleet: CommonsSummary[], notices: Notice[]): Promise<Values> {
  const counts: Values = new Map(fleet.map((c) => [c.id, 0]));
  const from = q.range.from.getTime();
  const to = q.range.to.getTime();
  try {
    for (const state of FAILED_COMMAND_STATES) {
      const query = new URLSearchParams({ status: state, limit: String(COMMANDS_PAGE) });
      if (q.query.commons) query.set('commons', q.query.commons);
      const { items } = await q.client.getRoute(ROUTES.listCommands, { query, signal: q.signal, route: 'commands' });
      if (items.length === COMMANDS_PAGE) {
        notices.push({ severity: 'warning', text: `more than ${COMMANDS_PAGE} ${state} commands: commands_failed counts only the newest ${COMMANDS_PAGE}` });
      }
      for (const c of items) {
        const at = Date.parse(c.updatedAt);
        if (at >= from && at <= to && counts.has(c.commons)) counts.set(c.commons, (counts.get(c.commons) ?? 0) + 1);
      }
    }
    return counts;
  } catch (err) {
    // The command history needs events:read (developer and up); without it the count is unknown, not zero.
    if (err instanceof ControlHttpError && err.status === 403) {
      notices.push({ severity: 'warning', text: `commands_failed is empty: ${err.message}` });
      return new Map(fleet.map((c) => [c.id, null]));
    }
    throw err;
  }
}
