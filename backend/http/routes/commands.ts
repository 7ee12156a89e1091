// /api/v1/commands: history, one command with its progress, cancel.
import { Router } from 'express';
import { CommandListQuery, type CommandState, isFinal, UuidPath } from '../../../contracts/api';
import { commandView } from '../../commands/view';
import { audit } from '../../audit/record';
import { requirePermission } from '../auth';
import type { ApiContext } from '../context';
import { HttpProblem, notFound } from '../problem';
import { parse } from '../validate';


export function commandsRouter(ctx: ApiContext): Router {
  const r = Router();
  const { store, commands } = ctx;

  r.get('/commands', async (req, res) => {
    await requirePermission(req, store, 'events:read');
    const q = parse(CommandListQuery, req.query, 'query');
    const rows = await store.listCommands({ commons: q.commons, states: q.status, since: q.since, limit: q.limit });
    res.json({ items: rows.map((row) => commandView(row)) });
  });

  r.get('/commands/:id', async (req, res) => {
    const { id } = parse(UuidPath, req.params, 'path');
    await requirePermission(req, store, 'events:read');
    const row = await store.getCommand(id);
    if (!row) throw notFound(`command ${id}`);
    res.json(commandView(row, await store.listCommandEvents(id)));
  });

  r.post('/commands/:id/cancel', async (req, res) => {
    const { id } = parse(UuidPath, req.params, 'path');
    const principal = await requirePermission(req, store, 'services:operate', { action: 'command.cancel' });
    const row = await store.getCommand(id);
    if (!row) throw notFound(`command ${id}`);
    if (isFinal(row.state as CommandState)) throw new HttpProblem(409, 'Command already finished', `command ${id} is ${row.state}; nothing to cancel`);
    await audit(store, principal, { action: 'command.cancel', outcome: 'accepted', commons: row.commons_id, service: row.service, detail: { command: id }, commandId: id });
    const moved = await commands.cancel(row, `cancelled by ${principal.actor}`);
    if (!moved) throw new HttpProblem(409, 'Command already finished', `command ${id} finished before it could be cancelled`);
    res.json(commandView(moved));
  });

  return r;
}
