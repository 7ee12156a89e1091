// audit: who did what and how it ended, as log lines (needs the operator role).
import type { AuditEntry } from '../../../contracts/api';
import type { Frame } from '../../sdk';
import type { QueryContext } from './context';
import { labels, logFrame, type LogLine } from './logs';
import { ROUTES } from '../../../contracts/routes';


export async function auditFrames(q: QueryContext): Promise<Frame[]> {
  const query = new URLSearchParams({ limit: String(q.query.limit ?? 200), since: q.range.from.toISOString() });
  if (q.query.commons) query.set('commons', q.query.commons);
  const { items } = await q.client.getRoute(ROUTES.listAudit, { query, signal: q.signal, route: 'audit' });
  const to = q.range.to.getTime();
  const lines = items.filter((e) => Date.parse(e.at) <= to && (!q.query.service || e.service === q.query.service)).map(auditLine);
  return [logFrame('audit', lines)];
}

export function auditLine(e: AuditEntry): LogLine {
  const target = [e.commons, e.service].filter(Boolean).join('/');
  const reason = typeof e.detail?.reason === 'string' ? ` (${e.detail.reason})` : '';
  const result = e.result && e.result !== e.outcome ? `, now ${e.result}` : '';
  return {
    at: new Date(e.at),
    body: `${e.actor}${e.role ? ` [${e.role}]` : ''} ${e.action}${target ? ` ${target}` : ''}: ${e.outcome}${result}${reason}`,
    severity: e.outcome === 'failed' ? 'error' : e.outcome === 'denied' || e.outcome === 'rejected' ? 'warning' : 'info',
    id: String(e.id),
    labels: labels({
      actor: e.actor,
      actor_kind: e.actorKind,
      role: e.role,
      action: e.action,
      outcome: e.outcome,
      commons: e.commons,
      service: e.service,
      command: e.commandId,
    }),
  };
}
