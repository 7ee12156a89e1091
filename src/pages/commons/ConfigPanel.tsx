// The commons' config (the manifest-global ConfigMap) and its revision history.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { CommonsDetail } from '../../../contracts/api';
import { queryStateView } from '../../components/QueryState';
import { TimeAgo } from '../../components/TimeAgo';
import { useConfigRevisions } from '../../data/useConfigRevisions';
import { testIds } from '../../testIds';

export function ConfigPanel({ commons }: { commons: CommonsDetail }) {
  const s = useStyles2(styles);
  const revisions = useConfigRevisions(commons.id, true);
  const entries = Object.entries(commons.config.data).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div data-testid={testIds.commons.config}>
      <p data-testid={testIds.commons.configRevision}>Revision {commons.config.revision}</p>
      {entries.length === 0 ? (
        <p className={s.weak}>No keys.</p>
      ) : (
        <table className={s.table}>
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k}>
                <th>{k}</th>
                <td className={s.mono}>{v.length > 200 ? `${v.slice(0, 200)}…` : v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4 className={s.h}>History</h4>
      {queryStateView(revisions, 'the config history') ??
        (revisions.data?.length ? (
          <ul className={s.list}>
            {revisions.data.map((r) => (
              <li key={r.revision}>
                revision {r.revision} · {r.state} · by {r.author} · <TimeAgo at={r.createdAt} /> · {Object.keys(r.data).length} keys
              </li>
            ))}
          </ul>
        ) : (
          <p className={s.weak}>No changes made through DCOC yet.</p>
        ))}
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  table: css({ borderCollapse: 'collapse', 'th, td': { padding: theme.spacing(0.5, 1), textAlign: 'left', borderBottom: `1px solid ${theme.colors.border.weak}` } }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
  weak: css({ color: theme.colors.text.secondary }),
  h: css({ marginTop: theme.spacing(2) }),
  list: css({ paddingLeft: theme.spacing(2), fontSize: theme.typography.bodySmall.fontSize }),
});
