// services: one row per service of each commons (or of one commons, or one
// service), all of them from one GET /fleet/summary?services=true however
// many commons there are.
import type { ServiceView } from '../../../contracts/api';
import type { Frame } from '../../sdk';
import { STATUS_MAPPINGS, fleetSummary, time, type QueryContext } from './context';

export async function servicesFrames(q: QueryContext): Promise<Frame[]> {
  const rows: { commons: string; environment: string; s: ServiceView }[] = [];
  for (const c of (await fleetSummary(q, { services: true })).items) {
    for (const s of c.serviceRows ?? []) if (!q.query.service || s.name === q.query.service) rows.push({ commons: c.id, environment: c.environment, s });
  }
  return [
    {
      name: 'services',
      meta: { type: 'table', preferredVisualisationType: 'table' },
      fields: [
        { name: 'commons', type: 'string', values: rows.map((r) => r.commons) },
        { name: 'environment', type: 'string', values: rows.map((r) => r.environment) },
        { name: 'service', type: 'string', values: rows.map((r) => r.s.name) },
        { name: 'status', type: 'string', config: { mappings: STATUS_MAPPINGS }, values: rows.map((r) => r.s.status) },
        { name: 'desired_replicas', type: 'int64', values: rows.map((r) => r.s.desiredReplicas) },
        { name: 'ready_replicas', type: 'int64', values: rows.map((r) => r.s.readyReplicas) },
        { name: 'updated_replicas', type: 'int64', values: rows.map((r) => r.s.updatedReplicas) },
        { name: 'image', type: 'string', values: rows.map((r) => r.s.image) },
        { name: 'version', type: 'string', values: rows.map((r) => r.s.version) },
        { name: 'reason', type: 'string', values: rows.map((r) => r.s.reason) },
        { name: 'restart_count', type: 'int64', values: rows.map((r) => r.s.restartCount) },
        { name: 'restarted_at', type: 'time', nullable: true, values: rows.map((r) => time(r.s.restartedAt)) },
        { name: 'rollout', type: 'string', nullable: true, values: rows.map((r) => r.s.rollout) },
        { name: 'health_http_status', type: 'int64', nullable: true, values: rows.map((r) => r.s.health?.httpStatus ?? null) },
        {
          name: 'health_latency',
          type: 'float64',
          nullable: true,
          config: { unit: 'ms' },
          values: rows.map((r) => r.s.health?.latencyMs ?? null),
        },
        { name: 'health_checked_at', type: 'time', nullable: true, values: rows.map((r) => time(r.s.health?.checkedAt)) },
      ],
    },
  ];
}
