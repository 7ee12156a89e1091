// fleet: one row per commons, as the fleet overview shows it.
import type { Frame } from '../../sdk';
import { STATUS_MAPPINGS, commonsSummaries, time, type QueryContext } from './context';

export async function fleetFrames(q: QueryContext): Promise<Frame[]> {
  const items = await commonsSummaries(q);
  return [
    {
      name: 'fleet',
      meta: { type: 'table', preferredVisualisationType: 'table' },
      fields: [
        { name: 'commons', type: 'string', values: items.map((c) => c.id) },
        { name: 'name', type: 'string', values: items.map((c) => c.name) },
        { name: 'hostname', type: 'string', values: items.map((c) => c.hostname) },
        { name: 'environment', type: 'string', values: items.map((c) => c.environment) },
        { name: 'status', type: 'string', config: { mappings: STATUS_MAPPINGS }, values: items.map((c) => c.status) },
        { name: 'version', type: 'string', values: items.map((c) => c.version) },
        { name: 'agent_connected', type: 'bool', values: items.map((c) => c.agent.connected) },
        { name: 'agent_last_seen', type: 'time', nullable: true, values: items.map((c) => time(c.agent.lastSeen)) },
        { name: 'agent_version', type: 'string', nullable: true, values: items.map((c) => c.agent.version) },
        { name: 'services_total', type: 'int64', values: items.map((c) => c.services.total) },
        { name: 'services_healthy', type: 'int64', values: items.map((c) => c.services.healthy) },
        { name: 'config_revision', type: 'int64', values: items.map((c) => c.config.revision) },
      ],
    },
  ];
}
