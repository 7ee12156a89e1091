// The audit log: who did what to which commons, when, and with what result.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Badge, Field, Input, Tab, TabsBar, useStyles2, type BadgeColor } from '@grafana/ui';
import { useDeferredValue, useState } from 'react';
import type { AuditEntry } from '../../contracts/api';
import { Empty, queryStateView } from '../components/QueryState';
import { TimeAgo } from '../components/TimeAgo';
import type { AuditFilters } from '../data/keys';
import { useAudit } from '../data/useAudit';
import { testIds } from '../testIds';
import { dataTable } from '../components/dataTable';
import { ChangeReportView } from './audit/ChangeReportView';
import { ExportBar } from './audit/ExportBar';

const OUTCOME_COLOR: Record<AuditEntry['outcome'], BadgeColor> = {
  accepted: 'blue',
  succeeded: 'green',
  denied: 'red',
  rejected: 'orange',
  failed: 'red',
};

/** How an accepted command ended (or where it is now). */
const RESULT_COLOR: Record<NonNullable<AuditEntry['result']>, BadgeColor> = {
  ...OUTCOME_COLOR,
  queued: 'blue',
  dispatched: 'blue',
  running: 'blue',
  expired: 'orange',
  cancelled: 'orange',
};

function Result({ entry: e }: { entry: AuditEntry }) {
  const outcome = <Badge text={e.outcome} color={OUTCOME_COLOR[e.outcome]} />;
  if (!e.commandId) return outcome;
  // A command's entry says it was accepted; what came of it is the command's state now.
  return (
    <>
      {outcome} →{' '}
      {e.result ? <Badge text={e.result} color={RESULT_COLOR[e.result]} tooltip="the command's state now" /> : <Badge text="no longer known" color="darkgrey" />}
    </>
  );
}

function detailText(d: Record<string, unknown>): string {
  return Object.entries(d)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

export function AuditPage() {
  const s = useStyles2(styles);
  const [filters, setFilters] = useState<AuditFilters>({});
  const [tab, setTab] = useState<'log' | 'report'>('log');
  // Typing does not fire a request per key.
  const deferred = useDeferredValue(filters);
  const audit = useAudit(deferred);
  const state = queryStateView(audit, 'the audit log');
  const field = (key: keyof AuditFilters, label: string, placeholder: string, testId: string) => (
    <Field label={label} className={s.field}>
      <Input value={filters[key] ?? ''} placeholder={placeholder} onChange={(e) => {
          const value = e.currentTarget.value.trim() || undefined;
          setFilters((prev) => ({ ...prev, [key]: value }));
        }} data-testid={testId} />
    </Field>
  );
  return (
    <PluginPage subTitle="Every change made through DCOC, and every refused attempt">
      <div data-testid={testIds.audit.page}>
        <TabsBar className={s.tabs}>
          <Tab label="Log" active={tab === 'log'} onChangeTab={() => setTab('log')} data-testid={testIds.audit.tabLog} />
          <Tab label="Change report" active={tab === 'report'} onChangeTab={() => setTab('report')} data-testid={testIds.audit.tabReport} />
        </TabsBar>
        {tab === 'report' ? (
          <ChangeReportView initialCommons={filters.commons} />
        ) : (
          <>
            <div className={s.filters}>
              {field('actor', 'Who', 'login, e.g. editor-user', testIds.audit.actorFilter)}
              {field('action', 'Action', 'e.g. service.restart', testIds.audit.actionFilter)}
              {field('commons', 'Commons', 'commons id', testIds.audit.commonsFilter)}
            </div>
            <ExportBar filters={deferred} />
            {state ??
              (audit.data && audit.data.length === 0 ? (
                <Empty message={Object.values(filters).some(Boolean) ? 'No entries match these filters' : 'Nothing has been done through DCOC yet'} />
              ) : (
                <table className={s.table}>
                  <thead>
                    <tr>
                      <th>When</th>
                      <th>Who</th>
                      <th>Action</th>
                      <th>Target</th>
                      <th>Result</th>
                      <th>Detail</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(audit.data ?? []).map((e) => (
                      <tr key={e.id} data-testid={testIds.audit.row(e.id)}>
                        <td>
                          <TimeAgo at={e.at} />
                        </td>
                        <td>
                          {e.actor}
                          <div className={s.weak}>
                            {e.actorKind}
                            {e.role ? ` · ${e.role}` : ''}
                          </div>
                        </td>
                        <td className={s.mono}>{e.action}</td>
                        <td>{[e.commons, e.service].filter(Boolean).join(' / ') || '—'}</td>
                        <td className={s.nowrap}>
                          <Result entry={e} />
                        </td>
                        <td className={s.weak}>
                          {detailText(e.detail)}
                          {e.commandId ? ` command=${e.commandId.slice(0, 8)}` : ''}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ))}
          </>
        )}
      </div>
    </PluginPage>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  tabs: css({ marginBottom: theme.spacing(2) }),
  filters: css({ display: 'flex', gap: theme.spacing(2), flexWrap: 'wrap' }),
  field: css({ width: 260 }),
  table: css({ ...dataTable(theme), 'td:first-child, td:nth-child(3)': { whiteSpace: 'nowrap' } }),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
