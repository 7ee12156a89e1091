// Subscribes to the DCOC data source's `events` stream on Grafana Live
// (channel ds/<uid>/events, or ds/<uid>/events/<commons> for one commons)
// and hands each event to `onEvent`.
import { isLiveChannelMessageEvent, isLiveChannelStatusEvent } from '@grafana/data';
import { useEffect, useRef, useState } from 'react';
import type { SequencedEvent } from '../../contracts/events';
import { useDcocDataSourceUid } from '../data/useDcocDataSource';
import { eventsChannel } from './channel';
import { grafanaLive, stateOfStatus, type LiveState } from './liveStatus';
import { parseLiveMessage } from './parseEvent';

export type { LiveState } from './liveStatus';

export function useLiveEvents(onEvent: (e: SequencedEvent) => void, opts: { enabled?: boolean; commons?: string } = {}): LiveState {
  const enabled = opts.enabled ?? true;
  const uid = useDcocDataSourceUid();
  const [state, setState] = useState<LiveState>('off');
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    if (!enabled) return;
    if (!uid) {
      setState('unavailable');
      return;
    }
    const live = grafanaLive();
    if (!live) {
      setState('unavailable');
      return;
    }
    setState('connecting');
    const sub = live.getStream<unknown>(eventsChannel(uid, opts.commons)).subscribe({
      next: (evt) => {
        if (isLiveChannelStatusEvent(evt)) {
          setState(stateOfStatus(evt));
        } else if (isLiveChannelMessageEvent(evt)) {
          setState('connected');
          const e = parseLiveMessage(evt.message);
          if (e) handler.current(e);
        }
      },
      error: () => setState('unavailable'),
    });
    return () => sub.unsubscribe();
  }, [uid, enabled, opts.commons]);

  return state;
}
