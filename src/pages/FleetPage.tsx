// Fleet overview: every commons with status, release, services, agent and
// firing alerts; search and filters; live updates refresh it.
import { PluginPage } from '@grafana/runtime';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Empty, queryStateView } from '../components/QueryState';
import { keys } from '../data/keys';
import { useFiringAlerts } from '../data/useFiringAlerts';
import { useFleet } from '../data/useFleet';
import { useGroups } from '../data/useGroups';
import { useLiveEvents } from '../live/useLiveEvents';
import { isFinalDeployment } from '../../contracts/api';
import type { SequencedEvent } from '../../contracts/events';
import { testIds } from '../testIds';
import { FleetFilters } from './fleet/FleetFilters';
import { FleetTable } from './fleet/FleetTable';
import { GroupActions } from './fleet/GroupActions';
import { environmentsOf, filterFleet, NO_FILTER, type FleetFilter } from './fleet/filterFleet';

const GROUP_PARAM = 'group';
const FLEET_EVENTS = new Set(['commons.status', 'service.status', 'agent.connected', 'agent.disconnected', 'commons.added', 'commons.removed']);

export function FleetPage() {
  const fleet = useFleet();
  const alerts = useFiringAlerts();
  const qc = useQueryClient();
  // ?group=<name> picks a saved group, and the group filter keeps it in the URL (a link to the group's fleet).
  const [params, setParams] = useSearchParams();
  const [filter, setFilter] = useState<FleetFilter>(() => ({ ...NO_FILTER, group: params.get(GROUP_PARAM) || null }));
  const urlGroup = params.get(GROUP_PARAM) || null;
  useEffect(() => {
    setFilter((prev) => (prev.group === urlGroup ? prev : { ...prev, group: urlGroup }));
  }, [urlGroup]);
  useEffect(() => {
    if (urlGroup === filter.group) return;
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (filter.group) next.set(GROUP_PARAM, filter.group);
        else next.delete(GROUP_PARAM);
        return next;
      },
      { replace: true },
    );
    // Only a change of the filter writes the URL; a change of the URL is read above.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter.group]);
  const onEvent = useCallback((e: SequencedEvent) => {
    // A finished deployment changes the commons' release.
    if (FLEET_EVENTS.has(e.type) || (e.type === 'deployment.updated' && isFinalDeployment(e.state))) void qc.invalidateQueries({ queryKey: keys.fleet });
  }, [qc]);
  useLiveEvents(onEvent);

  const groups = useGroups();
  const items = fleet.data;
  const group = groups.data?.find((g) => g.name === filter.group);
  const members = useMemo(() => (group ? new Set(group.commons) : undefined), [group]);
  const shown = useMemo(() => (items ? filterFleet(items, filter, members) : []), [items, filter, members]);
  const groupOptions = useMemo(() => (groups.data ?? []).map((g) => ({ name: g.name, count: g.commons.length })), [groups.data]);
  const environments = useMemo(() => (items ? environmentsOf(items) : []), [items]);
  const counts = useMemo(() => {
    const by: Record<string, number> = {};
    for (const c of items ?? []) by[c.status] = (by[c.status] ?? 0) + 1;
    return by;
  }, [items]);

  const state = queryStateView(fleet, 'the fleet');
  return (
    <PluginPage subTitle="Every Gen3 data commons DCOC watches">
      <div data-testid={testIds.fleet.page}>
        {state ??
          (items && items.length === 0 ? (
            <Empty message="No commons has reported yet">Enroll an agent in a commons (Agents page) and it appears here once it connects.</Empty>
          ) : (
            <>
              <FleetFilters filter={filter} environments={environments} groups={groupOptions} onChange={setFilter} />
              {group && (
                <div data-testid={testIds.fleet.groupActions}>
                  <p>
                    Group <strong>{group.name}</strong>: <code>{group.selectorText || 'every commons'}</code>
                    {group.description ? ` · ${group.description}` : ''}
                  </p>
                  <GroupActions group={group.name} commons={shown} />
                </div>
              )}
              <p data-testid={testIds.fleet.count}>
                Showing {shown.length} of {items?.length ?? 0} commons
                {['healthy', 'degraded', 'down', 'unknown']
                  .filter((k) => counts[k])
                  .map((k) => ` · ${counts[k]} ${k}`)
                  .join('')}
              </p>
              {shown.length === 0 ? <Empty message="No commons matches these filters" /> : <FleetTable items={shown} alerts={alerts.data} />}
            </>
          ))}
      </div>
    </PluginPage>
  );
}
