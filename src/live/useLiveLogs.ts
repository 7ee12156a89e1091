// Follows a service's pod logs on the DCOC data source's Grafana Live channel
// (ds/<uid>/logs/<commons>/<service>[/filter/…]) and hands each packet
// (a LogsStreamEvent) to `onPacket`. 'unavailable' when there is no Live, no
// data source, or the subscription is refused: the caller then polls.
import { isLiveChannelMessageEvent, isLiveChannelStatusEvent } from '@grafana/data';
import { useEffect, useRef, useState } from 'react';
import { LogsStreamEvent } from '../../contracts/api';
import { useDcocDataSourceUid } from '../data/useDcocDataSource';
import { logsChannel } from './channel';
import { grafanaLive, stateOfStatus, type LiveState } from './liveStatus';

export interface LiveLogsTarget {
  commons: string;
  service: string;
  filter?: string;
}

export function useLiveLogs(target: LiveLogsTarget | undefined, onPacket: (p: LogsStreamEvent) => void): LiveState {
  const uid = useDcocDataSourceUid();
  const [state, setState] = useState<LiveState>('off');
  const handler = useRef(onPacket);
  handler.current = onPacket;
  const { commons, service, filter } = target ?? {};

  useEffect(() => {
    if (!commons || !service) {
      setState('off');
      return;
    }
    const live = uid ? grafanaLive() : undefined;
    if (!live) {
      setState('unavailable');
      return;
    }
    setState('connecting');
    const sub = live.getStream<unknown>(logsChannel(uid!, commons, service, filter)).subscribe({
      next: (evt) => {
        if (isLiveChannelStatusEvent(evt)) {
          setState(stateOfStatus(evt));
        } else if (isLiveChannelMessageEvent(evt)) {
          const p = LogsStreamEvent.safeParse(evt.message);
          // Other messages (a relay's events on a shared test Live) are not log packets.
          if (p.success) {
            setState('connected');
            handler.current(p.data);
          }
        }
      },
      error: () => setState('unavailable'),
    });
    return () => sub.unsubscribe();
  }, [uid, commons, service, filter]);

  return state;
}
