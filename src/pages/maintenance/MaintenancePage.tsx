// Maintenance and deny windows: each with what it targets, its schedule, whether
// it is in progress now (until when) or when it next starts, and its last run
// with what each step did. Operators create maintenance windows, admins deny
// windows too; everyone else reads.
import { Badge, Button, ConfirmButton, Stack } from '@grafana/ui';
import { PluginPage } from '@grafana/runtime';
import { useState } from 'react';
import type { WindowView } from '../../../contracts/windows';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Empty, queryStateView } from '../../components/QueryState';
import { useDeleteWindow, useWindows } from '../../data/useWindows';
import { allows, useWhoami } from '../../data/useWhoami';
import { testIds } from '../../testIds';
import { WindowEditor } from './WindowEditor';
import { EMPTY_WINDOW, type WindowDraft, draftOf, scheduleText, targetText } from './windowDraft';

function StateCell({ w }: { w: WindowView }) {
  if (w.current) return <Badge color={w.spec.kind === 'deny' ? 'red' : 'orange'} text={`${w.spec.kind === 'deny' ? 'Frozen' : 'In progress'} until ${w.current.end}`} />;
  return <span>{w.next[0] ? `Next: ${w.next[0].start}` : 'No further occurrence'}</span>;
}

function LastRun({ w }: { w: WindowView }) {
  const run = w.runs[0];
  if (!run) return <span>{w.spec.kind === 'maintenance' ? 'Not run yet' : ''}</span>;
  return (
    <details>
      <summary>
        {run.state} ({run.start}){run.late ? ', started late' : ''}
      </summary>
      <ul>
        {run.results.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    </details>
  );
}

export function MaintenancePage() {
  const windows = useWindows();
  const me = useWhoami();
  const del = useDeleteWindow();
  const [draft, setDraft] = useState<WindowDraft | null>(null);
  const canWrite = allows(me.data, 'windows:write');
  const canFreeze = allows(me.data, 'freeze:write');
  const mayChange = (w: WindowView) => canWrite && (w.spec.kind === 'maintenance' || canFreeze);
  const state = queryStateView(windows, 'the windows');
  return (
    <PluginPage subTitle="Maintenance windows (silences, maintenance mode, scheduled restarts, Jobs and deploys) and deny windows (change freezes)">
      <div data-testid={testIds.maintenance.page}>
        {state ?? (
          <>
            {canWrite && !draft && (
              <Button icon="plus" onClick={() => setDraft(EMPTY_WINDOW)} data-testid={testIds.maintenance.create}>
                New window
              </Button>
            )}
            {draft && <WindowEditor key={draft.id ?? 'new'} draft={draft} canFreeze={canFreeze} onDone={() => setDraft(null)} />}
            {del.error && <ErrorAlert error={del.error} action="Deleting the window" />}
            {windows.data?.length === 0 ? (
              <Empty message="No window yet">{canWrite ? 'Create one: a schedule, its commons, and what happens while it lasts.' : 'Operators create maintenance windows; admins create deny windows.'}</Empty>
            ) : (
              <table className="filter-table" data-testid={testIds.maintenance.table}>
                <thead>
                  <tr>
                    <th>Window</th>
                    <th>Kind</th>
                    <th>Target</th>
                    <th>Schedule</th>
                    <th>Now</th>
                    <th>Last run</th>
                    {canWrite && <th />}
                  </tr>
                </thead>
                <tbody>
                  {windows.data?.map((w) => (
                    <tr key={w.id} data-testid={testIds.maintenance.row(w.id)}>
                      <td title={w.spec.reason}>{w.spec.name}</td>
                      <td>{w.spec.kind === 'deny' ? 'deny' : 'maintenance'}</td>
                      <td>{targetText(w)}</td>
                      <td>{scheduleText(w)}</td>
                      <td>
                        <StateCell w={w} />
                      </td>
                      <td>
                        <LastRun w={w} />
                      </td>
                      {canWrite && (
                        <td>
                          {mayChange(w) && (
                            <Stack gap={1}>
                              <Button size="sm" variant="secondary" onClick={() => setDraft(draftOf(w))}>
                                Edit
                              </Button>
                              <ConfirmButton size="sm" confirmText="Delete" confirmVariant="destructive" onConfirm={() => del.mutate(w.id)}>
                                Delete
                              </ConfirmButton>
                            </Stack>
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </div>
    </PluginPage>
  );
}
