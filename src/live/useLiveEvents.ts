// Subscribes to the DCOC data source's `events` stream on Grafana Live
// (channel ds/<uid>/events, or ds/<uid>/events/<commons> for one commons)
// and hands each event to `onEvent`.
import { isLiveChannelMessageEvent, isLiveChannelStatusEvent, LiveChannelConnectionState } from '@grafana/data';
import { getGrafanaLiveSrv } from '@grafana/runtime';
import { useEffect, useRef, useState } from 'react';
import type { SequencedEvent } from '../../contracts/events';
import { useDcocDataSourceUid } from '../data/useDcocDataSource';
import { eventsChannel } from './channel';
import { parseLiveMessage } from './parseEvent';

export type LiveState = 'off' | 'connecting' | 'connected' | 'unavailable';

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
    let live;
    try {
      live = getGrafanaLiveSrv();
    } catch {
      live = undefined;
    }
    if (!live) {
      setState('unavailable');
      return;
    }
    setState('connecting');
    const sub = live.getStream<unknown>(eventsChannel(uid, opts.commons)).subscribe({
      next: (evt) => {
        if (isLiveChannelStatusEvent(evt)) {
          if (evt.error) setState('unavailable');
          else if (evt.state === LiveChannelConnectionState.Connected) setState('connected');
          else if (evt.state === LiveChannelConnectionState.Connecting || evt.state === LiveChannelConnectionState.Pending) setState('connecting');
          else setState('unavailable');
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
