// Progressive rollouts: start one (plan first, every commons' diff reviewed),
// the recent ones, and the one selected followed live.
import { PluginPage } from '@grafana/runtime';
import { Button } from '@grafana/ui';
import { useState } from 'react';
import { Empty, queryStateView } from '../components/QueryState';
import { useGroups } from '../data/useGroups';
import { useRollouts } from '../data/useRollouts';
import { allows, useWhoami } from '../data/useWhoami';
import { testIds } from '../testIds';
import { useNewForGroup } from './newForGroup';
import { NewRollout } from './rollouts/NewRollout';
import { RolloutDetail } from './rollouts/RolloutDetail';

export function RolloutsPage() {
  const list = useRollouts();
  const groups = useGroups();
  const me = useWhoami();
  const canWrite = allows(me.data, 'deployments:write');
  const [creating, setCreating] = useState(false);
  // Opened from the fleet page's "Roll out to this group": the form, its target that group.
  const link = useNewForGroup();
  const formOpen = canWrite && (creating || link.requested);
  const [selected, setSelected] = useState<string | undefined>();
  const shown = selected ?? list.data?.[0]?.id;
  return (
    <PluginPage subTitle="Roll a release to many commons in waves: a canary first, each commons gated on health, soak time and firing alerts">
      <div data-testid={testIds.rollouts.page}>
        {canWrite && !formOpen && (
          <Button icon="plus" onClick={() => setCreating(true)} data-testid={testIds.rollouts.create}>
            New rollout
          </Button>
        )}
        {formOpen && (
          <NewRollout
            groups={(groups.data ?? []).map((g) => g.name)}
            initialGroup={link.requested && link.group ? link.group : undefined}
            onStarted={(id) => {
              setCreating(false);
              link.clear();
              setSelected(id);
            }}
          />
        )}
        {queryStateView(list, 'the rollouts') ??
          (list.data?.length === 0 ? (
            <Empty message="No rollout yet">{canWrite ? 'Start one with New rollout.' : 'An operator starts rollouts.'}</Empty>
          ) : (
            <>
              <table className="filter-table" data-testid={testIds.rollouts.list}>
                <thead>
                  <tr>
                    <th>Started</th>
                    <th>Release</th>
                    <th>State</th>
                    <th>Done</th>
                    <th>By</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data?.map((r) => (
                    <tr key={r.id} data-testid={testIds.rollouts.row(r.id)} onClick={() => setSelected(r.id)} style={{ cursor: 'pointer', fontWeight: r.id === shown ? 'bold' : undefined }}>
                      <td>{new Date(r.createdAt).toLocaleString()}</td>
                      <td>{String(r.change.release)}</td>
                      <td>{r.state}</td>
                      <td>
                        {r.targets.filter((t) => t.state === 'done').length}/{r.targets.length}
                      </td>
                      <td>{r.actor}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {shown && <RolloutDetail key={shown} id={shown} canWrite={canWrite} />}
            </>
          ))}
      </div>
    </PluginPage>
  );
}
