// Who this commons is and how it is doing, in one line.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { CommonsDetail } from '../../../contracts/api';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { deployMethodLabel } from '../../components/deployMethod';
import { testIds } from '../../testIds';

export function CommonsHeader({ commons }: { commons: CommonsDetail }) {
  const s = useStyles2(styles);
  const method = deployMethodLabel(commons.agent.deployMethod);
  return (
    <div className={s.row}>
      <StatusBadge status={commons.status} testId={testIds.commons.status} />
      <span>{commons.hostname}</span>
      <span>environment {commons.environment}</span>
      <span data-testid={testIds.commons.release}>release {commons.version || '—'}</span>
      <span>namespace {commons.namespace}</span>
      {method && <span data-testid={testIds.commons.deployMethod}>deploys with {method}</span>}
      <span>
        agent {commons.agent.connected ? 'connected' : 'offline'}
        {commons.agent.version ? ` (${commons.agent.version})` : ''}, last seen <TimeAgo at={commons.agent.lastSeen} />
      </span>
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  row: css({ display: 'flex', gap: theme.spacing(2), alignItems: 'center', flexWrap: 'wrap', color: theme.colors.text.secondary, marginBottom: theme.spacing(2) }),
});
