// The Grafana Live channel of the DCOC events stream: ds/<data source uid>/events,
// or ds/<uid>/events/<commons> for one commons. Grafana 12.3 reads the middle
// part from `namespace` (and calls an address without it invalid, so nothing is
// subscribed); newer Grafana reads `stream` and falls back to `namespace`.
// Both are set, so every Grafana the plugin declares gets a valid address.
import type { LiveChannelAddress, LiveChannelScope } from '@grafana/data';

// LiveChannelScope.DataSource, spelt out: type-only imports keep this module
// loadable outside a Grafana page (a test checks it with each release's own code).
const DATA_SOURCE_SCOPE = 'ds' as unknown as LiveChannelScope;

export function eventsChannel(dataSourceUid: string, commons?: string): LiveChannelAddress {
  // Not a literal in the return: each release's type knows only one of the two fields.
  const address = { scope: DATA_SOURCE_SCOPE, stream: dataSourceUid, namespace: dataSourceUid, path: commons ? `events/${commons}` : 'events' };
  return address;
}

/** Text as unpadded base64url, the form the data source reads a channel's filter in. */
function base64url(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The channel following a service's pod logs: ds/<uid>/logs/<commons>/<service>,
 * with /filter/<base64url> for only the lines containing a text (plugin/datasource/log-channel.ts).
 */
export function logsChannel(dataSourceUid: string, commons: string, service: string, filter?: string): LiveChannelAddress {
  const path = `logs/${commons}/${service}${filter ? `/filter/${base64url(filter)}` : ''}`;
  const address = { scope: DATA_SOURCE_SCOPE, stream: dataSourceUid, namespace: dataSourceUid, path };
  return address;
}
