// "Open in Explore": Grafana's own log view of the same lines, through the
// DCOC data source's `logs` query (plugin/datasource/queries/pod-logs.ts).
import { DATASOURCE_PLUGIN_ID } from '../../../constants';
import type { LogTarget } from './target';

export function exploreLogsUrl(dataSourceUid: string, commons: string, target: LogTarget, o: { filter: string; previous: boolean; rangeMs: number }): string {
  const query = {
    refId: 'A',
    datasource: { type: DATASOURCE_PLUGIN_ID, uid: dataSourceUid },
    queryType: 'logs',
    commons,
    ...(target.kind === 'job' ? { job: target.name } : { service: target.name }),
    ...(o.filter ? { filter: o.filter } : {}),
    ...(o.previous ? { previous: true } : {}),
  };
  const panes = { dcoc: { datasource: dataSourceUid, queries: [query], range: { from: `now-${Math.round(o.rangeMs / 60_000)}m`, to: 'now' } } };
  return `/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}
