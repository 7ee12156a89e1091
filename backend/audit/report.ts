// The monthly change report of one commons: what was deployed, which config
// keys changed, the restarts, scales and job runs, the approvals, and who did
// how much, from the deployments table and the audit log.
import type { ChangeReport } from '../../contracts/compliance';
import type { ReportAuditRow, ReportDeploymentRow, ReportStore } from '../store/report-store';

/** Operations on a running commons that are not deploys or config changes. */
const OPERATIONS = new Set(['service.restart', 'service.scale', 'job.run', 'command.cancel', 'deployment.cancel']);
const REFUSED = new Set(['denied', 'rejected']);
/** Approvals are audited by the policies feature as approval.* (requested, approved, rejected, …). */
const isApproval = (action: string) => action.startsWith('approval.');
const isOperation = (action: string) => OPERATIONS.has(action) || action.startsWith('backup.') || action.startsWith('restore.');

/** [from, to) of a month YYYY-MM, UTC. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  return { from: new Date(Date.UTC(y, m - 1, 1)).toISOString(), to: new Date(Date.UTC(y, m, 1)).toISOString() };
}

function detailOf(r: ReportAuditRow): Record<string, unknown> {
  try {
    const d: unknown = JSON.parse(r.detail_json);
    return d && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function changedKeys(detail: Record<string, unknown>): string[] {
  const c = detail.changes;
  if (Array.isArray(c)) return c.flatMap((x) => (x && typeof x === 'object' && typeof (x as { key?: unknown }).key === 'string' ? [(x as { key: string }).key] : []));
  return [];
}

/** The deployment's result now: its command's state once there is one, else its phase. */
const deployResult = (d: ReportDeploymentRow) => (d.phase === 'failed' ? 'failed' : (d.command_state ?? d.phase));

export function buildReport(commons: string, month: string, deploys: ReportDeploymentRow[], entries: ReportAuditRow[], auditHead: string, now = new Date()): ChangeReport {
  const { from, to } = monthRange(month);
  const people = new Map<string, ChangeReport['people'][number]>();
  const person = (who: string) => {
    let p = people.get(who);
    if (!p) people.set(who, (p = { who, deploys: 0, configChanges: 0, operations: 0, approvals: 0, refused: 0, total: 0 }));
    return p;
  };
  for (const d of deploys) person(d.actor).deploys++;
  const report: ChangeReport = {
    commons,
    month,
    from,
    to,
    generatedAt: now.toISOString(),
    deploys: deploys.map((d) => ({ at: d.created_at, deployment: d.id, kind: d.kind, release: d.release ?? '', revision: Number(d.revision), who: d.actor, reason: d.reason, result: deployResult(d) })),
    configChanges: [],
    operations: [],
    approvals: [],
    people: [],
    auditHead,
  };
  for (const e of entries) {
    const detail = detailOf(e);
    const refused = REFUSED.has(e.outcome);
    if (refused) person(e.actor).refused++;
    if (e.action === 'config.update') {
      report.configChanges.push({ at: e.at, who: e.actor, reason: typeof detail.reason === 'string' ? detail.reason : null, keys: changedKeys(detail), outcome: e.outcome, result: e.command_state });
      if (!refused) person(e.actor).configChanges++;
    } else if (isApproval(e.action)) {
      report.approvals.push({ at: e.at, action: e.action, who: e.actor, outcome: e.outcome, detail });
      if (!refused) person(e.actor).approvals++;
    } else if (isOperation(e.action)) {
      report.operations.push({ at: e.at, action: e.action, service: e.service, who: e.actor, outcome: e.outcome, result: e.command_state, detail });
      if (!refused) person(e.actor).operations++;
    }
  }
  for (const p of people.values()) p.total = p.deploys + p.configChanges + p.operations + p.approvals;
  report.people = [...people.values()].sort((a, b) => b.total - a.total || a.who.localeCompare(b.who));
  return report;
}

export async function changeReport(reports: ReportStore, commons: string, month: string, auditHead: string): Promise<ChangeReport> {
  const { from, to } = monthRange(month);
  const [deploys, entries] = await Promise.all([reports.deployments(commons, from, to), reports.audit(commons, from, to)]);
  return buildReport(commons, month, deploys, entries, auditHead);
}
