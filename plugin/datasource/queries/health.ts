// health: what alert rules watch, as a numeric-long frame (Grafana's
// dataplane contract, 0.1): one row per commons, its string fields commons
// and environment (the labels of every number in the row), and the float64
// fields services_down, agent_silence_seconds and commands_failed.
//
// Long, not wide: a numeric-wide frame carries one field with its own labels
// and metadata per commons and metric, 12 MB at 10,000 commons, past gRPC's
// default 4 MiB receive limit; the long frame is a few hundred KB. Server-side
// expressions read both the same way at the oldest Grafana plugin.json allows
// (12.3): grafana/grafana pkg/expr/dataplane.go handleDataplaneNumeric reads
// every numeric kind through grafana/dataplane sdata/numeric, whose long
// reader (long.go) makes each row's string fields the labels of each of its
// numbers, named by the number's field. So one shape at every fleet size.
//
// Everything comes from one GET /fleet/summary: counts, agent last seen, and
// failed/expired commands counted by the store in the query's range.
import type { FleetSummaryItem } from '../../../contracts/api';
import type { Field, Frame, Notice } from '../../sdk';
import { HEALTH_METRICS, type HealthMetric } from '../query-model';
import type { QueryContext } from './context';
import { fleetSummary } from './context';

const DESCRIPTIONS: Record<HealthMetric, { unit: string; description: string }> = {
  services_down: { unit: 'none', description: 'Services of the commons whose status is down' },
  agent_silence_seconds: { unit: 's', description: "Seconds since the commons' agent was last heard from (empty when never heard since the control service started)" },
  commands_failed: { unit: 'none', description: 'Commands for the commons that failed or expired in the time range (empty without events:read on the commons)' },
};

export async function healthFrames(q: QueryContext): Promise<Frame[]> {
  const metrics = q.query.metric ? [q.query.metric] : [...HEALTH_METRICS];
  const summary = await fleetSummary(q, { commandsInRange: metrics.includes('commands_failed') });
  const fleet = summary.items;
  const at = Date.parse(summary.at);
  const notices: Notice[] = [];
  const value: Record<HealthMetric, (c: FleetSummaryItem) => number | null> = {
    services_down: (c) => c.services.down,
    agent_silence_seconds: (c) => (c.agent.lastSeen ? Math.max(0, (at - Date.parse(c.agent.lastSeen)) / 1000) : null),
    commands_failed: (c) => (c.commands ? c.commands.failed + c.commands.expired : null),
  };
  if (metrics.includes('commands_failed')) {
    const unknown = fleet.filter((c) => !c.commands).length;
    // The command history needs events:read (developer and up); without it the count is unknown, not zero.
    if (unknown) notices.push({ severity: 'warning', text: `commands_failed is empty for ${unknown} of ${fleet.length} commons: their command history needs events:read (developer and up)` });
  }

  const fields: Field[] = [
    { name: 'commons', type: 'string', values: fleet.map((c) => c.id) },
    { name: 'environment', type: 'string', values: fleet.map((c) => c.environment) },
  ];
  for (const metric of metrics) {
    fields.push({ name: metric, type: 'float64', nullable: true, config: DESCRIPTIONS[metric], values: fleet.map(value[metric]) });
  }
  return [{ name: 'health', meta: { type: 'numeric-long', typeVersion: [0, 1], ...(notices.length ? { notices } : {}) }, fields }];
}
