// commands: the command history overlapping the time range, newest first.
import type { Frame } from '../../sdk';
import { time, type QueryContext } from './context';
import { ROUTES } from '../../../contracts/routes';

export async function commandsFrames(q: QueryContext): Promise<Frame[]> {
  const query = new URLSearchParams({ limit: String(q.query.limit ?? 100) });
  if (q.query.commons) query.set('commons', q.query.commons);
  const { items } = await q.client.getRoute(ROUTES.listCommands, { query, signal: q.signal, route: 'commands' });
  const from = q.range.from.getTime();
  const to = q.range.to.getTime();
  const rows = items.filter(
    (c) => (!q.query.service || c.service === q.query.service) && Date.parse(c.createdAt) <= to && Date.parse(c.updatedAt) >= from,
  );
  return [
    {
      name: 'commands',
      meta: { type: 'table', preferredVisualisationType: 'table' },
      fields: [
        { name: 'created_at', type: 'time', values: rows.map((c) => new Date(c.createdAt)) },
        { name: 'command', type: 'string', values: rows.map((c) => c.id) },
        { name: 'commons', type: 'string', values: rows.map((c) => c.commons) },
        { name: 'service', type: 'string', nullable: true, values: rows.map((c) => c.service) },
        { name: 'kind', type: 'string', values: rows.map((c) => c.kind) },
        { name: 'state', type: 'string', values: rows.map((c) => c.state) },
        { name: 'percent', type: 'float64', config: { unit: 'percent', min: 0, max: 100 }, values: rows.map((c) => c.percent) },
        { name: 'message', type: 'string', values: rows.map((c) => c.message) },
        { name: 'actor', type: 'string', values: rows.map((c) => c.actor) },
        { name: 'attempts', type: 'int64', values: rows.map((c) => c.attempts) },
        { name: 'updated_at', type: 'time', values: rows.map((c) => new Date(c.updatedAt)) },
        { name: 'deadline', type: 'time', nullable: true, values: rows.map((c) => time(c.deadline)) },
      ],
    },
  ];
}
