// The commons' public endpoints as the control service last probed them:
// status, latency, and the TLS certificate's days left (a warning under 14).
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { ExternalCheckView } from '../../../contracts/api';
import { dataTable } from '../../components/dataTable';
import { queryStateView } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { useExternalChecks } from '../../data/useExternalChecks';
import { testIds } from '../../testIds';

export const CERT_WARN_DAYS = 14;
const DAY_MS = 86_400_000;

export function daysLeft(notAfter: string, now = Date.now()): number {
  return Math.floor((Date.parse(notAfter) - now) / DAY_MS);
}

function Certificate({ c }: { c: ExternalCheckView }) {
  const s = useStyles2(styles);
  if (!c.certificateNotAfter) return <span className={s.weak}>{c.url.startsWith('https:') ? 'not read' : 'no TLS'}</span>;
  const days = daysLeft(c.certificateNotAfter);
  const tone = days < 0 || c.certificateValid === false ? s.bad : days < CERT_WARN_DAYS ? s.warn : undefined;
  const text = days < 0 ? `expired ${-days} day${days === -1 ? '' : 's'} ago` : `${days} day${days === 1 ? '' : 's'} left`;
  return (
    <span className={tone} title={`notAfter ${c.certificateNotAfter}`} data-days-left={days}>
      {text}
      {c.certificateValid === false && ' · does not verify'}
    </span>
  );
}

export function ExternalChecksPanel({ commons }: { commons: string }) {
  const s = useStyles2(styles);
  const q = useExternalChecks(commons);
  const state = queryStateView(q, 'external checks');
  if (state) return state;
  const items = q.data?.items ?? [];
  if (items.length === 0) return <p className={s.weak}>No external checks yet: the control service probes the commons&apos; public endpoints periodically; results show here after the first probe.</p>;
  return (
    <table className={s.table} data-testid={testIds.commons.externalChecks}>
      <thead>
        <tr>
          <th>URL</th>
          <th>Status</th>
          <th>Latency</th>
          <th>Certificate</th>
          <th>Checked</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c, i) => (
          <tr key={c.url} data-testid={testIds.commons.externalCheckRow(i)}>
            <td className={s.mono}>{c.url}</td>
            <td>
              <StatusBadge status={c.ok ? 'healthy' : 'down'} />
              <div className={s.weak}>
                {c.httpStatus !== null && `HTTP ${c.httpStatus}`}
                {c.error && `${c.httpStatus !== null ? ' · ' : ''}${c.error}`}
              </div>
            </td>
            <td>{c.latencyMs === null ? '—' : `${Math.round(c.latencyMs)} ms`}</td>
            <td data-testid={testIds.commons.externalCheckCert(i)}>
              <Certificate c={c} />
            </td>
            <td>
              <TimeAgo at={c.checkedAt} never="not yet" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  table: css(dataTable(theme, 'top')),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
  warn: css({ color: theme.colors.warning.text }),
  bad: css({ color: theme.colors.error.text }),
});
