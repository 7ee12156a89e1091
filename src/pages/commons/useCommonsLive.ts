// Live events for one commons: command and deployment progress go straight
// into their caches (so progress shows without polling), status changes
// refresh the commons, and the last events are kept for the events panel.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import type { CommandView, RevisionSummary } from '../../../contracts/api';
import { keys } from '../../data/keys';
import { isFinalState } from '../../data/useCommands';
import { applyDeploymentEvent } from '../../data/useDeployments';
import { isFinalDeployment } from '../../../contracts/api';
import { useLiveEvents, type LiveState } from '../../live/useLiveEvents';
import type { SequencedEvent } from '../../../contracts/events';

const KEEP_EVENTS = 50;

export function useCommonsLive(commons: string, enabled: boolean): { live: LiveState; events: SequencedEvent[] } {
  const qc = useQueryClient();
  const [events, setEvents] = useState<SequencedEvent[]>([]);
  const onEvent = useCallback(
    (e: SequencedEvent) => {
      if (e.commons !== commons) return;
      setEvents((prev) => [e, ...prev].slice(0, KEEP_EVENTS));
      if (e.type === 'command.updated') {
        let known = false;
        qc.setQueryData<CommandView[]>(keys.commands(commons), (list) =>
          list?.map((c) => {
            if (c.id !== e.command) return c;
            known = true;
            const state = e.state as CommandView['state'];
            return { ...c, state, message: e.message, percent: e.percent, progress: [...c.progress, { at: e.at ?? new Date().toISOString(), state, message: e.message, percent: e.percent }] };
          }),
        );
        if (!known) void qc.invalidateQueries({ queryKey: keys.commands(commons) });
        if (isFinalState(e.state)) void qc.invalidateQueries({ queryKey: keys.commons(commons) });
      } else if (e.type === 'deployment.updated') {
        // Progress goes into the deployment's cache; the revision list and the commons change when it ends.
        applyDeploymentEvent(qc, e);
        let listed = false;
        qc.setQueryData<RevisionSummary[]>(keys.deployRevisions(commons), (list) =>
          list?.map((r) => {
            if (r.deployment.id !== e.deployment) return r;
            listed = true;
            return { ...r, deployment: { ...r.deployment, state: e.state } };
          }),
        );
        if (!listed || isFinalDeployment(e.state)) void qc.invalidateQueries({ queryKey: keys.deployRevisions(commons) });
        if (isFinalDeployment(e.state)) void qc.invalidateQueries({ queryKey: keys.commons(commons) });
      } else {
        void qc.invalidateQueries({ queryKey: keys.commons(commons) });
      }
    },
    [qc, commons],
  );
  const live = useLiveEvents(onEvent, { enabled, commons });
  return { live, events };
}
