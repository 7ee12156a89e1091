// events: the control service's recent events (status changes, agents coming
// and going, command progress) as log lines. The control service keeps the
// last 1000 events in memory; older ones are not available here.
import { bufferedEvents, type ControlEvent } from '../../control/event-stream';
import type { Frame } from '../../sdk';
import type { QueryContext } from './context';
import { labels, logFrame, type LogLine } from './logs';

export async function eventsFrames(q: QueryContext): Promise<Frame[]> {
  const events = await bufferedEvents(q.client, { commons: q.query.commons, signal: q.signal });
  const from = q.range.from.getTime();
  const to = q.range.to.getTime();
  const lines = events
    .map(eventLine)
    .filter((l): l is LogLine => l !== undefined)
    .filter((l) => l.at.getTime() >= from && l.at.getTime() <= to && (!q.query.service || l.labels.service === q.query.service));
  return [logFrame('events', lines.slice(-(q.query.limit ?? 1000)))];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

export function eventLine(e: ControlEvent): LogLine | undefined {
  const d = e.data;
  const at = new Date(str(d.at));
  if (Number.isNaN(at.getTime())) return undefined;
  const type = str(d.type) || e.type;
  const commons = str(d.commons);
  const service = str(d.service);
  let body: string;
  let severity: LogLine['severity'] = 'info';
  switch (type) {
    case 'commons.status':
      body = `${commons} is ${str(d.status)} (was ${str(d.previous)})`;
      severity = statusSeverity(str(d.status));
      break;
    case 'service.status':
      body = `${service} on ${commons} is ${str(d.status)} (was ${str(d.previous)})${d.reason ? `: ${str(d.reason)}` : ''}`;
      severity = statusSeverity(str(d.status));
      break;
    case 'agent.connected':
      body = `agent ${str(d.agent)} of ${commons} connected`;
      break;
    case 'agent.disconnected':
      body = `agent ${str(d.agent)} of ${commons} disconnected${d.reason ? `: ${str(d.reason)}` : ''}`;
      severity = 'warning';
      break;
    case 'command.updated': {
      const state = str(d.state);
      body = `${str(d.kind)}${service ? ` ${service}` : ''} on ${commons}: ${state} ${str(d.percent)}%${d.message ? ` ${str(d.message)}` : ''}`;
      severity = state === 'failed' || state === 'expired' ? 'error' : state === 'cancelled' ? 'warning' : 'info';
      break;
    }
    case 'commons.added':
    case 'commons.removed':
      body = `${commons} ${type === 'commons.added' ? 'added' : 'removed'}`;
      break;
    default:
      body = JSON.stringify(d);
  }
  return {
    at,
    body,
    severity,
    id: str(d.id) || e.id,
    labels: labels({ type, commons, service, status: str(d.status), state: str(d.state), command: str(d.command) }),
  };
}

function statusSeverity(status: string): LogLine['severity'] {
  return status === 'down' ? 'error' : status === 'degraded' || status === 'unknown' ? 'warning' : 'info';
}
