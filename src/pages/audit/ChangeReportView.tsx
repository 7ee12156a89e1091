// A commons' monthly change report (deploys, config changes, restarts, scales,
// job runs, approvals, who did how much), laid out to print.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Field, Input, useStyles2 } from '@grafana/ui';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { ChangeReport } from '../../../contracts/compliance';
import { ROUTES } from '../../../contracts/routes';
import { request } from '../../api/client';
import { Empty, queryStateView } from '../../components/QueryState';
import { dataTable } from '../../components/dataTable';
import { testIds } from '../../testIds';

const COMMONS = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export const thisMonth = (now = new Date()) => now.toISOString().slice(0, 7);

function Section({ title, count, children }: { title: string; count: number; children: ReactNode }) {
  const s = useStyles2(styles);
  return (
    <section className={s.section}>
      <h3>
        {title} ({count})
      </h3>
      {count === 0 ? <p className={s.weak}>None this month.</p> : children}
    </section>
  );
}

const when = (at: string) => at.replace('T', ' ').slice(0, 16) + ' UTC';

function Report({ r }: { r: ChangeReport }) {
  const s = useStyles2(styles);
  return (
    <div data-testid={testIds.audit.report} className={s.report}>
      <h2>
        Changes to {r.commons} in {r.month}
      </h2>
      <p className={s.weak}>
        {when(r.from)} to {when(r.to)} (exclusive). Made {when(r.generatedAt)}, at audit head {r.auditHead}.
      </p>
      <Section title="Who" count={r.people.length}>
        <table className={s.table}>
          <thead>
            <tr>
              <th>Who</th>
              <th>Deploys</th>
              <th>Config changes</th>
              <th>Operations</th>
              <th>Approvals</th>
              <th>Refused</th>
            </tr>
          </thead>
          <tbody>
            {r.people.map((p) => (
              <tr key={p.who}>
                <td>{p.who}</td>
                <td>{p.deploys}</td>
                <td>{p.configChanges}</td>
                <td>{p.operations}</td>
                <td>{p.approvals}</td>
                <td>{p.refused}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Deploys" count={r.deploys.length}>
        <table className={s.table}>
          <thead>
            <tr>
              <th>When</th>
              <th>Kind</th>
              <th>Release</th>
              <th>Revision</th>
              <th>Who</th>
              <th>Reason</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {r.deploys.map((d) => (
              <tr key={d.deployment}>
                <td>{when(d.at)}</td>
                <td>{d.kind}</td>
                <td>{d.release}</td>
                <td>{d.revision}</td>
                <td>{d.who}</td>
                <td>{d.reason}</td>
                <td>{d.result}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Config changes" count={r.configChanges.length}>
        <table className={s.table}>
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Keys</th>
              <th>Reason</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {r.configChanges.map((c, i) => (
              <tr key={i}>
                <td>{when(c.at)}</td>
                <td>{c.who}</td>
                <td className={s.mono}>{c.keys.join(', ') || '—'}</td>
                <td>{c.reason ?? '—'}</td>
                <td>{c.result ? `${c.outcome} → ${c.result}` : c.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Restarts, scales, job runs and cancels" count={r.operations.length}>
        <table className={s.table}>
          <thead>
            <tr>
              <th>When</th>
              <th>Action</th>
              <th>Service</th>
              <th>Who</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {r.operations.map((o, i) => (
              <tr key={i} data-testid={testIds.audit.reportOperation(i)}>
                <td>{when(o.at)}</td>
                <td className={s.mono}>{o.action}</td>
                <td>{o.service ?? '—'}</td>
                <td>{o.who}</td>
                <td>{o.result ? `${o.outcome} → ${o.result}` : o.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Approvals" count={r.approvals.length}>
        <table className={s.table}>
          <thead>
            <tr>
              <th>When</th>
              <th>Action</th>
              <th>Who</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {r.approvals.map((a, i) => (
              <tr key={i}>
                <td>{when(a.at)}</td>
                <td className={s.mono}>{a.action}</td>
                <td>{a.who}</td>
                <td>{a.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </div>
  );
}

export function ChangeReportView({ initialCommons }: { initialCommons?: string }) {
  const s = useStyles2(styles);
  const [commons, setCommons] = useState(initialCommons ?? '');
  const [month, setMonth] = useState(thisMonth());
  const ready = COMMONS.test(commons) && MONTH.test(month);
  const report = useQuery({
    queryKey: ['change-report', commons, month],
    queryFn: () => request(ROUTES.getChangeReport, { params: { id: commons }, query: { month } }),
    enabled: ready,
  });
  return (
    <div>
      <div className={s.controls}>
        <Field label="Commons" className={s.field}>
          <Input value={commons} placeholder="commons id, e.g. midrc" onChange={(e) => setCommons(e.currentTarget.value.trim())} data-testid={testIds.audit.reportCommons} />
        </Field>
        <Field label="Month" className={s.field}>
          <Input type="month" value={month} onChange={(e) => setMonth(e.currentTarget.value)} data-testid={testIds.audit.reportMonth} />
        </Field>
        <Button variant="secondary" disabled={!report.data} onClick={() => window.print()} data-testid={testIds.audit.reportPrint}>
          Print
        </Button>
      </div>
      {!ready ? <Empty message="Name a commons and a month to see what changed" /> : (queryStateView(report, 'the change report') ?? (report.data ? <Report r={report.data} /> : null))}
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  controls: css({ display: 'flex', gap: theme.spacing(2), alignItems: 'flex-end', flexWrap: 'wrap', '@media print': { display: 'none' } }),
  field: css({ width: 260, marginBottom: 0 }),
  report: css({ marginTop: theme.spacing(2), '@media print': { color: 'black', background: 'white' } }),
  section: css({ marginTop: theme.spacing(3), breakInside: 'avoid' }),
  table: css(dataTable(theme)),
  weak: css({ color: theme.colors.text.secondary }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
