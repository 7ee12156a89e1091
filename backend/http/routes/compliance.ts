// /api/v1/audit/export and /api/v1/commons/:id/change-report: the audit log
// for auditors (streamed, never buffered whole) and a month of a commons' changes.
import { Router, type Response } from 'express';
import { AUDIT_EXPORT_MEDIA, AUDIT_HEAD_HEADER } from '../../../contracts/compliance';
import { ROUTES } from '../../../contracts/routes';
import { formatHead } from '../../audit/chain';
import { exportLines } from '../../audit/export';
import { changeReport } from '../../audit/report';
import type { Logger } from '../../../lib/logger';
import type { AuditStore } from '../../store/audit-store';
import type { ReportStore } from '../../store/report-store';
import type { Store } from '../../store/store';
import { mount } from '../mount';
import { HttpProblem } from '../problem';

export interface ComplianceRoutesDeps {
  store: Store;
  auditLog: AuditStore;
  reports: ReportStore;
  log: Logger;
}

/** Resolves when the response can take more, or is gone (a client that hung up never drains). */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function complianceRouter({ store, auditLog, reports, log }: ComplianceRoutesDeps): Router {
  const r = Router();
  mount(r, ROUTES.exportAudit, store, async ({ query }, _req, res) => {
    const { format, limit, ...filter } = query;
    const head = await auditLog.head();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.status(200);
    res.setHeader('Content-Type', AUDIT_EXPORT_MEDIA[format]);
    res.setHeader('Content-Disposition', `attachment; filename="dcoc-audit-${stamp}.${format}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader(AUDIT_HEAD_HEADER, formatHead(head));
    try {
      for await (const piece of exportLines(auditLog.select(filter), format, limit)) {
        if (res.destroyed) return;
        if (!res.write(piece)) await drained(res);
      }
      res.end();
    } catch (e) {
      // The status is sent: all that is left is to cut the body short, so the client sees it incomplete.
      log.error({ err: e }, 'audit export failed part way');
      res.destroy(e as Error);
    }
  });
  mount(r, ROUTES.getChangeReport, store, async ({ params, query }) => {
    const [commons, head] = await Promise.all([store.getCommons(params.id), auditLog.head()]);
    const report = await changeReport(reports, params.id, query.month, formatHead(head));
    // A removed commons keeps its history; one never known has none.
    if (!commons && !report.deploys.length && !report.configChanges.length && !report.operations.length && !report.approvals.length) {
      throw new HttpProblem(404, 'Not found', `no commons ${params.id} and no changes of it in ${query.month}; list commons with GET /api/v1/commons`, [{ field: 'path.id', message: 'unknown commons' }]);
    }
    return { status: 200, body: report };
  });
  return r;
}
