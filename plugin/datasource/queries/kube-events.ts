// kubernetesEvents: the commons namespace's Kubernetes events as log lines,
// Warning events with severity warning, labelled with the object, reason and
// service, at their last occurrence (or first, when that is all there is).
import { ROUTES } from '../../../contracts/routes';
import type { KubeEventView } from '../../../contracts/api';
import type { Frame } from '../../sdk';
import { getRouteAt, time, type QueryContext } from './context';
import { labels, logFrame, type LogLine } from './logs';

export async function kubeEventsFrames(q: QueryContext): Promise<Frame[]> {
  const query = q.query.service ? new URLSearchParams({ service: q.query.service }) : undefined;
  const { items } = await getRouteAt(q, ROUTES.listKubernetesEvents, { id: q.query.commons! }, query);
  const from = q.range.from.getTime();
  const to = q.range.to.getTime();
  const lines = items
    .map((e, i) => kubeEventLine(e, i, q.query.commons!))
    .filter((l): l is LogLine => l !== undefined && l.at.getTime() >= from && l.at.getTime() <= to);
  return [logFrame('kubernetesEvents', lines.slice(0, q.query.limit ?? 1000))];
}

export function kubeEventLine(e: KubeEventView, i: number, commons: string): LogLine | undefined {
  const at = time(e.lastTime) ?? time(e.firstTime);
  if (!at) return undefined;
  return {
    at,
    body: `${e.objectKind}/${e.objectName}: ${e.reason}: ${e.message}${e.count > 1 ? ` (×${e.count})` : ''}`,
    severity: e.type === 'Warning' ? 'warning' : 'info',
    id: `${e.objectKind}/${e.objectName}/${e.reason}/${at.getTime()}/${i}`,
    labels: labels({ commons, service: e.service, type: e.type, reason: e.reason, object: `${e.objectKind}/${e.objectName}`, source: e.source, count: e.count }),
  };
}
