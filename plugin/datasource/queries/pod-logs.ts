// logs: a service's (or a Job's) pod logs as Grafana log lines, every
// replica merged, labelled with pod, container, service and commons, in the
// query's time range. The agent reads pods/log; nothing is stored.
import { ROUTES } from '../../../contracts/routes';
import type { LogLineView } from '../../../contracts/api';
import type { Frame, Notice } from '../../sdk';
import { getRouteAt, time, type QueryContext } from './context';
import { severityOf } from './log-level';
import { labels, logFrame, type LogLine } from './logs';

/** Lines per pod when the query sets no limit. */
const DEFAULT_TAIL = 1000;

export async function podLogsFrames(q: QueryContext): Promise<Frame[]> {
  const { commons, service, job, filter, previous, limit } = q.query;
  const query = new URLSearchParams({ since: q.range.from.toISOString(), until: q.range.to.toISOString(), tail: String(limit ?? DEFAULT_TAIL) });
  if (filter) query.set('filter', filter);
  if (previous) query.set('previous', 'true');
  const view = job
    ? await getRouteAt(q, ROUTES.getJobLogs, { id: commons!, job }, query)
    : await getRouteAt(q, ROUTES.getServiceLogs, { id: commons!, service: service! }, query);
  const target = job ? { job } : { service };
  const lines = view.items.map((l, i) => podLine(l, i, { commons: commons!, ...target }));
  const frame = logFrame('logs', lines);
  const notices: Notice[] = [];
  if (view.truncated) notices.push({ severity: 'warning', text: 'some lines were left out: the answer reached its bound of lines or bytes; narrow the time range or add a filter' });
  if (view.pods.length === 0) notices.push({ severity: 'info', text: `no pods of ${job ? `Job ${job}` : `service ${service}`} were found` });
  return [notices.length ? { ...frame, meta: { ...frame.meta, notices } } : frame];
}

function podLine(l: LogLineView, i: number, target: Record<string, string | undefined>): LogLine {
  // A line without a runtime timestamp sorts at the start of the range rather than being dropped.
  const at = time(l.time) ?? new Date(0);
  return {
    at,
    body: l.line,
    severity: severityOf(l.line),
    // Unique within the frame: Grafana's logs view keys rows by id.
    id: `${l.pod}/${l.container}/${at.getTime()}/${i}`,
    labels: labels({ pod: l.pod, container: l.container, ...target }),
  };
}
