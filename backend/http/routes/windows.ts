// /api/v1/windows: maintenance and deny windows (create, replace, delete,
// read with their next occurrences and runs) and the schedule preview the
// app's form shows as it is typed.
import { Router } from 'express';
import { can } from '../../../contracts/roles';
import { ROUTES } from '../../../contracts/routes';
import type { WindowKind } from '../../../contracts/windows';
import type { Principal } from '../../auth/principal';
import { audit } from '../../audit/record';
import type { Store } from '../../store/store';
import { localTime, scheduleProblem, upcoming } from '../../windows/schedule';
import type { Windows } from '../../windows/windows';
import { mount } from '../mount';
import { HttpProblem } from '../problem';

export interface WindowsRoutesDeps {
  store: Store;
  windows: Windows;
}

export function windowsRouter({ store, windows }: WindowsRoutesDeps): Router {
  const r = Router();

  /** Deny windows are a freeze: only admins set, change or remove them (freeze:write); refused, audited as denied. */
  const mayFreeze = async (p: Principal, kinds: WindowKind[], action: string) => {
    if (!kinds.includes('deny') || can(p.role, 'freeze:write')) return;
    const why = `deny windows (change freezes) are set, changed and removed by admins (freeze:write); you are ${p.role}`;
    await audit(store, p, { action, outcome: 'denied', detail: { reason: why } });
    throw new HttpProblem(403, 'Deny windows need an admin', why, [{ field: 'body.kind', message: why }]);
  };

  // Before /windows/:id, which would read "preview" as an id.
  mount(r, ROUTES.previewSchedule, store, ({ query: { cron, timeZone, durationMinutes, count } }) => {
    const schedule = { cron, durationMinutes };
    const bad = scheduleProblem(schedule, timeZone);
    if (bad) throw new HttpProblem(422, 'Invalid schedule', bad.message, [{ field: 'query.cron', message: bad.message }]);
    const items = upcoming(schedule, timeZone, Date.now(), count).map((o) => ({
      start: new Date(o.startMs).toISOString(),
      end: new Date(o.endMs).toISOString(),
      localStart: localTime(o.startMs, timeZone),
      localEnd: localTime(o.endMs, timeZone),
    }));
    return { status: 200, body: { timeZone, items } };
  });

  mount(r, ROUTES.listWindows, store, async ({ query: { kind, commons } }) => {
    let list = await windows.list(kind);
    if (commons) {
      const covers = await Promise.all(list.map(async (w) => (await windows.commonsOf(w.spec.target)).includes(commons)));
      list = list.filter((_, i) => covers[i]);
    }
    return { status: 200, body: { items: await Promise.all(list.map((w) => windows.view(w))) } };
  });

  mount(r, ROUTES.getWindow, store, async ({ params: { id } }) => ({ status: 200, body: await windows.view(await windows.get(id)) }));

  mount(
    r,
    ROUTES.createWindow,
    store,
    async ({ body, principal }) => {
      await mayFreeze(principal, [body.kind], 'window.create');
      const view = await windows.create(body, principal);
      return { status: 201, location: `/api/v1/windows/${view.id}`, body: view };
    },
    { denial: () => ({ action: 'window.create' }) },
  );

  mount(r, ROUTES.replaceWindow, store, async ({ params: { id }, body, principal }) => {
    await mayFreeze(principal, [(await windows.get(id)).spec.kind, body.kind], 'window.update');
    return { status: 200, body: await windows.replace(id, body, principal) };
  }, {
    denial: () => ({ action: 'window.update' }),
  });

  mount(
    r,
    ROUTES.deleteWindow,
    store,
    async ({ params: { id }, principal }) => {
      await mayFreeze(principal, [(await windows.get(id)).spec.kind], 'window.delete');
      await windows.delete(id, principal);
      return { status: 204, body: undefined };
    },
    { denial: () => ({ action: 'window.delete' }) },
  );

  return r;
}
