// What the page's Live hooks share: Grafana's Live service when this Grafana
// has one, and what a channel's status event means for the page.
import { LiveChannelConnectionState, type LiveChannelStatusEvent } from '@grafana/data';
import { getGrafanaLiveSrv, type GrafanaLiveSrv } from '@grafana/runtime';

export type LiveState = 'off' | 'connecting' | 'connected' | 'unavailable';

/** Grafana's Live service, or undefined where there is none (it throws before Grafana sets it). */
export function grafanaLive(): GrafanaLiveSrv | undefined {
  try {
    return getGrafanaLiveSrv();
  } catch {
    return undefined;
  }
}

export function stateOfStatus(evt: LiveChannelStatusEvent): LiveState {
  if (evt.error) return 'unavailable';
  if (evt.state === LiveChannelConnectionState.Connected) return 'connected';
  if (evt.state === LiveChannelConnectionState.Connecting || evt.state === LiveChannelConnectionState.Pending) return 'connecting';
  return 'unavailable';
}
