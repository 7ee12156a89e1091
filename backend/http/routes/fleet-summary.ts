// /api/v1/fleet/summary: every commons in one answer, for the data source's
// fleet-wide queries (health, services of all commons) and alert rules. A
// fleet of 10,000 is one request here instead of one GET /commons/{id} each.
import { Router } from 'express';
import type { FleetSummaryItem } from '../../../contracts/api';
import { ROUTES } from '../../../contracts/routes';
import { FAILED_COMMAND_STATES } from '../../../contracts/states';
import type { Fleet } from '../../fleet/fleet';
import type { Store } from '../../store/store';
import { mount } from '../mount';

export interface FleetSummaryRoutesDeps {
  store: Store;
  fleet: Pick<Fleet, 'all' | 'summary'>;
}

/** The range failed commands are counted in when the caller names none. */
export const FLEET_SUMMARY_DEFAULT_RANGE_MS = 24 * 3600_000;

export function fleetSummaryRouter({ store, fleet }: FleetSummaryRoutesDeps): Router {
  const r = Router();

  mount(r, ROUTES.getFleetSummary, store, async ({ query: q, access }) => {
    const now = new Date();
    // Stored times are ISO strings in UTC: the range is compared in the same form.
    const to = q.to ? new Date(q.to) : now;
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - FLEET_SUMMARY_DEFAULT_RANGE_MS);
    const visible = access.visibleCommons(ROUTES.getFleetSummary.permission);
    const seen = visible ? new Set(visible) : null;
    const live = fleet.all().filter((c) => (!q.commons || c.id === q.commons) && (!seen || seen.has(c.id)));

    // The command history is events:read: counted only where the caller holds it.
    const countsVisible = access.visibleCommons('events:read');
    const counted = new Set(countsVisible ?? live.map((c) => c.id));
    const countsIn = q.commons ? [q.commons].filter((id) => counted.has(id)) : (countsVisible ?? undefined);
    const rows = await store.countCommandsByState({ states: FAILED_COMMAND_STATES, from: from.toISOString(), to: to.toISOString(), commonsIn: countsIn });
    const counts = new Map<string, { failed: number; expired: number }>();
    for (const row of rows) {
      const c = counts.get(row.commons) ?? { failed: 0, expired: 0 };
      if (row.state === 'failed' || row.state === 'expired') c[row.state] += row.count;
      counts.set(row.commons, c);
    }

    const items = live.map((c): FleetSummaryItem => {
      const s = fleet.summary(c);
      const down: string[] = [];
      for (const svc of c.services.values()) if (svc.status === 'down') down.push(svc.name);
      const item: FleetSummaryItem = {
        id: c.id,
        name: c.name,
        environment: c.environment,
        status: c.status,
        agent: { connected: s.agent.connected, lastSeen: s.agent.lastSeen },
        services: { ...s.services, downNames: down.sort() },
        commands: counted.has(c.id) ? (counts.get(c.id) ?? { failed: 0, expired: 0 }) : null,
      };
      if (q.services) {
        item.serviceRows = [...c.services.values()].filter((svc) => !q.service || svc.name === q.service).sort((a, b) => a.name.localeCompare(b.name));
      }
      return item;
    });
    return { status: 200, body: { at: now.toISOString(), from: from.toISOString(), to: to.toISOString(), items } };
  });

  return r;
}
