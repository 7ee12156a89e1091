// The most recent deployments across the fleet (developer and up), each
// opening its progress on this page.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { Link } from 'react-router-dom';
import { Empty, queryStateView } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { commonsUrl, pageUrl, ROUTES } from '../../constants';
import { useDeployments } from '../../data/useDeployments';
import { testIds } from '../../testIds';
import { dataTable } from '../../components/dataTable';

export function RecentDeployments() {
  const s = useStyles2(styles);
  const list = useDeployments(undefined, true);
  const state = queryStateView(list, 'the deployments');
  if (state) return state;
  const items = list.data ?? [];
  if (items.length === 0) return <Empty message="No deployments yet">Deployments made through DCOC show here with their state.</Empty>;
  return (
    <table className={s.table} data-testid={testIds.deploy.recent}>
      <thead>
        <tr>
          <th>When</th>
          <th>Commons</th>
          <th>Revision</th>
          <th>Release</th>
          <th>State</th>
          <th>Who and why</th>
        </tr>
      </thead>
      <tbody>
        {items.map((d) => (
          <tr key={d.id} data-testid={testIds.deploy.recentRow(d.id)}>
            <td>
              <Link className={s.link} to={`${pageUrl(ROUTES.deploy)}?deployment=${encodeURIComponent(d.id)}`}>
                <TimeAgo at={d.createdAt} />
              </Link>
            </td>
            <td>
              <Link className={s.link} to={commonsUrl(d.commons)}>
                {d.commons}
              </Link>
            </td>
            <td>
              {d.revision}
              {d.kind === 'rollback' ? <span className={s.weak}> (rollback to {d.rollbackOf})</span> : null}
            </td>
            <td>{d.release}</td>
            <td>
              <StatusBadge status={d.state} /> <span className={s.weak}>{d.percent}%</span>
            </td>
            <td>
              {d.actor}
              {d.reason ? <div className={s.weak}>{d.reason}</div> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  table: css(dataTable(theme)),
  link: css({ color: theme.colors.text.link, '&:hover': { textDecoration: 'underline' } }),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
