// /api/v1/commands: history, one command with its progress, cancel.
import { Router } from 'express';
import { type CommandState, isFinal } from '../../../contracts/api';
import { ROUTES } from '../../../contracts/routes';
import type { CommandService } from '../../commands/command-service';
import { commandView } from '../../commands/view';
import { audit } from '../../audit/record';
import type { Store } from '../../store/store';
import { mount } from '../mount';
import { HttpProblem, notFound } from '../problem';

export interface CommandRoutesDeps {
  store: Store;
  commands: Pick<CommandService, 'cancel'>;
}

export function commandsRouter({ store, commands }: CommandRoutesDeps): Router {
  const r = Router();

  mount(r, ROUTES.listCommands, store, async ({ query: q, access }) => {
    const commonsIn = access.visibleCommons(ROUTES.listCommands.permission) ?? undefined;
    const rows = await store.listCommands({ commons: q.commons, commonsIn, states: q.status, since: q.since, limit: q.limit });
    return { status: 200, body: { items: rows.map((row) => commandView(row)) } };
  });

  mount(r, ROUTES.getCommand, store, async ({ params: { id } }) => {
    const row = await store.getCommand(id);
    if (!row) throw notFound(`command ${id}`);
    return { status: 200, body: commandView(row, await store.listCommandEvents(id)) };
  });

  mount(
    r,
    ROUTES.cancelCommand,
    store,
    async ({ params: { id }, principal }) => {
      const row = await store.getCommand(id);
      if (!row) throw notFound(`command ${id}`);
      if (isFinal(row.state as CommandState)) throw new HttpProblem(409, 'Command already finished', `command ${id} is ${row.state}; nothing to cancel`);
      await audit(store, principal, { action: 'command.cancel', outcome: 'accepted', commons: row.commons_id, service: row.service, detail: { command: id }, commandId: id });
      const moved = await commands.cancel(row, `cancelled by ${principal.actor}`);
      if (!moved) throw new HttpProblem(409, 'Command already finished', `command ${id} finished before it could be cancelled`);
      return { status: 200, body: commandView(moved) };
    },
    { denial: () => ({ action: 'command.cancel' }) },
  );

  return r;
}
