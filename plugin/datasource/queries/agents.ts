// agents: one row per enrolled agent, with its heartbeat.
import type { Frame } from '../../sdk';
import { time, type QueryContext } from './context';
import { ROUTES } from '../../../contracts/routes';

export async function agentsFrames(q: QueryContext): Promise<Frame[]> {
  const { items } = await q.client.getRoute(ROUTES.listAgents, { signal: q.signal, route: 'agents' });
  const rows = q.query.commons ? items.filter((a) => a.commons === q.query.commons) : items;
  return [
    {
      name: 'agents',
      meta: { type: 'table', preferredVisualisationType: 'table' },
      fields: [
        { name: 'agent', type: 'string', values: rows.map((a) => a.id) },
        { name: 'commons', type: 'string', nullable: true, values: rows.map((a) => a.commons) },
        { name: 'hostname', type: 'string', nullable: true, values: rows.map((a) => a.hostname) },
        { name: 'connected', type: 'bool', values: rows.map((a) => a.connected) },
        { name: 'last_seen', type: 'time', nullable: true, values: rows.map((a) => time(a.lastSeen)) },
        { name: 'version', type: 'string', nullable: true, values: rows.map((a) => a.version) },
        { name: 'revoked', type: 'bool', values: rows.map((a) => a.revoked) },
        { name: 'certificate_expires_at', type: 'time', nullable: true, values: rows.map((a) => time(a.certificateExpiresAt)) },
        { name: 'enrolled_at', type: 'time', nullable: true, values: rows.map((a) => time(a.enrolledAt)) },
      ],
    },
  ];
}
