// Saved groups of commons: what each selector picks now. Admins create,
// change and delete groups and set commons' labels (a group decides who may
// change what, through scoped roles and policies); everyone else reads.
import { Button, ConfirmButton, Stack } from '@grafana/ui';
import { PluginPage } from '@grafana/runtime';
import { useState } from 'react';
import { Empty, queryStateView } from '../components/QueryState';
import { ErrorAlert } from '../components/ErrorAlert';
import { useFleet } from '../data/useFleet';
import { useDeleteGroup, useGroups } from '../data/useGroups';
import { allows, useWhoami } from '../data/useWhoami';
import { testIds } from '../testIds';
import { EMPTY_DRAFT, GroupEditor, type GroupDraft } from './groups/GroupEditor';
import { LabelsEditor } from './groups/LabelsEditor';

export function GroupsPage() {
  const groups = useGroups();
  const fleet = useFleet();
  const me = useWhoami();
  const del = useDeleteGroup();
  const [draft, setDraft] = useState<GroupDraft | null>(null);
  const canEdit = allows(me.data, 'groups:manage');
  const state = queryStateView(groups, 'the groups');
  return (
    <PluginPage subTitle="Groups of commons chosen by labels: what rollouts, windows, policies and scoped roles target">
      <div data-testid={testIds.groups.page}>
        {state ?? (
          <>
            {canEdit && !draft && (
              <Button icon="plus" onClick={() => setDraft(EMPTY_DRAFT)} data-testid={testIds.groups.create}>
                New group
              </Button>
            )}
            {draft && <GroupEditor key={draft.name || 'new'} draft={draft} fleet={fleet.data ?? []} onDone={() => setDraft(null)} />}
            {del.error && <ErrorAlert error={del.error} action="Deleting the group" />}
            {groups.data?.length === 0 ? (
              <Empty message="No group yet">{canEdit ? 'Label commons below, then save a group with a selector.' : 'An admin creates groups.'}</Empty>
            ) : (
              <table className="filter-table" data-testid={testIds.groups.table}>
                <thead>
                  <tr>
                    <th>Group</th>
                    <th>Selector</th>
                    <th>Commons</th>
                    <th>Description</th>
                    {canEdit && <th />}
                  </tr>
                </thead>
                <tbody>
                  {groups.data?.map((g) => (
                    <tr key={g.name} data-testid={testIds.groups.row(g.name)}>
                      <td>{g.name}</td>
                      <td>
                        <code>{g.selectorText || 'every commons'}</code>
                      </td>
                      <td title={g.commons.join('\n')}>
                        {g.commons.length} {g.commons.length ? `(${g.commons.slice(0, 5).join(', ')}${g.commons.length > 5 ? ', …' : ''})` : ''}
                      </td>
                      <td>{g.description}</td>
                      {canEdit && (
                        <td>
                          <Stack gap={1}>
                            <Button size="sm" variant="secondary" onClick={() => setDraft({ name: g.name, selectorText: g.selectorText, description: g.description })}>
                              Edit
                            </Button>
                            <ConfirmButton size="sm" confirmText="Delete" confirmVariant="destructive" onConfirm={() => del.mutate(g.name)}>
                              Delete
                            </ConfirmButton>
                          </Stack>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {canEdit && (
              <>
                <h3>Labels</h3>
                <LabelsEditor fleet={fleet.data ?? []} />
              </>
            )}
          </>
        )}
      </div>
    </PluginPage>
  );
}
