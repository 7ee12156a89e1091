// One rollout, live: its state (and the commons it stopped on), each wave's
// progress, each commons' state and deployment progress, and the actions the
// state allows (pause, resume, abort, roll back every finished commons).
import { Alert, Button, ConfirmButton, Stack } from '@grafana/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { RolloutAction, RolloutView } from '../../../contracts/rollouts';
import type { SequencedEvent } from '../../../contracts/events';
import { ErrorAlert } from '../../components/ErrorAlert';
import { queryStateView } from '../../components/QueryState';
import { rolloutKeys, useRollout, useRolloutAction } from '../../data/useRollouts';
import { useLiveEvents } from '../../live/useLiveEvents';
import { testIds } from '../../testIds';

/** The actions each state allows (backend/rollouts/state.ts ACTIONS). */
const ALLOWED: Record<RolloutAction, readonly RolloutView['state'][]> = {
  pause: ['running'],
  resume: ['paused', 'paused-on-failure'],
  abort: ['running', 'paused', 'paused-on-failure'],
  rollback: ['paused', 'paused-on-failure', 'aborted', 'completed'],
};

export function RolloutDetail({ id, canWrite }: { id: string; canWrite: boolean }) {
  const qc = useQueryClient();
  const onEvent = useCallback(
    (e: SequencedEvent) => {
      const r = qc.getQueryData<RolloutView>(rolloutKeys.one(id));
      const ours = (e.type === 'rollout.updated' && e.rollout === id) || (e.type === 'deployment.updated' && !!r?.targets.some((t) => t.deployment === e.deployment || t.rollbackDeployment === e.deployment));
      if (ours) void qc.invalidateQueries({ queryKey: rolloutKeys.one(id) });
    },
    [qc, id],
  );
  const live = useLiveEvents(onEvent);
  const q = useRollout(id, live === 'connected');
  const act = useRolloutAction();
  if (!q.data) return queryStateView(q, `rollout ${id}`);
  const r = q.data;
  const button = (action: RolloutAction, label: string) =>
    ALLOWED[action].includes(r.state) && (
      <Button key={action} size="sm" variant="secondary" disabled={act.isPending} onClick={() => act.mutate({ id, action })} data-testid={testIds.rollouts.action(action)}>
        {label}
      </Button>
    );
  return (
    <div data-testid={testIds.rollouts.detail} data-state={r.state}>
      <h3>
        Rollout of {String(r.change.release)} to {'group' in r.target ? `group ${r.target.group}` : `${r.target.commons.length} commons`}: <span data-testid={testIds.rollouts.state}>{r.state}</span>
      </h3>
      <div>{r.message}</div>
      {r.failure && (
        <Alert severity="error" title={`Stopped on ${r.failure.commons}`} data-testid={testIds.rollouts.failure}>
          {r.failure.reason}. Fix it, then resume (it is checked again), or abort.
        </Alert>
      )}
      {canWrite && (
        <Stack gap={1}>
          {button('pause', 'Pause')}
          {button('resume', 'Resume')}
          {button('abort', 'Abort')}
          {ALLOWED.rollback.includes(r.state) && (
            <ConfirmButton size="sm" confirmText="Roll back every finished commons" confirmVariant="destructive" onConfirm={() => act.mutate({ id, action: 'rollback' })}>
              <span data-testid={testIds.rollouts.action('rollback')}>Roll back</span>
            </ConfirmButton>
          )}
        </Stack>
      )}
      {act.error && <ErrorAlert error={act.error} action="The rollout action" />}
      <Stack gap={2}>
        {r.waves.map((w) => (
          <div key={w.wave} data-testid={testIds.rollouts.wave(w.wave)} data-state={w.state}>
            Wave {w.wave}
            {w.wave === 1 ? ' (canary)' : ''}: {w.done}/{w.total} done ({w.state})
          </div>
        ))}
      </Stack>
      <table className="filter-table">
        <thead>
          <tr>
            <th>Commons</th>
            <th>Wave</th>
            <th>State</th>
            <th>Deployment</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {r.targets.map((t) => (
            <tr key={t.commons} data-testid={testIds.rollouts.target(t.commons)} data-state={t.state}>
              <td>{t.commons}</td>
              <td>{t.wave}</td>
              <td>{t.state}</td>
              <td>{t.deploymentState ? `${t.deploymentState} ${t.percent}%` : '—'}</td>
              <td>{t.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
