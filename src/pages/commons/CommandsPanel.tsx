// Recent commands of the commons with their live progress.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { CommandView } from '../../../contracts/api';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { testIds } from '../../testIds';

function describe(c: CommandView): string {
  if (c.kind === 'scale') return `scale ${c.service} to ${String(c.target.replicas)}`;
  if (c.kind === 'config') return `config revision ${String(c.target.revision)}`;
  if (c.kind === 'run-job') return `run a Job from cronjob/${c.service}`;
  if (c.kind === 'backup') return `back up ${(c.target.databases as string[] | undefined)?.join(', ') ?? 'databases'} (backup ${String(c.target.backupId)})`;
  if (c.kind === 'restore') return `restore ${String(c.target.service)} from backup ${String(c.target.backupId)}`;
  if (c.kind === 'deploy') return `deploy revision ${String(c.target.revision)}`;
  return `restart ${c.service}`;
}

export function CommandsPanel({ commands }: { commands: CommandView[] }) {
  const s = useStyles2(styles);
  if (commands.length === 0) return <p className={s.weak}>No commands yet.</p>;
  return (
    <ul className={s.list} data-testid={testIds.commons.commands}>
      {commands.map((c) => (
        <li key={c.id} className={s.item} data-testid={testIds.commons.commandRow(c.id)}>
          <div className={s.head}>
            <StatusBadge status={c.state} testId={testIds.commons.commandState(c.id)} />
            <strong>{describe(c)}</strong>
            <span className={s.weak}>
              by {c.actor}, <TimeAgo at={c.createdAt} />
            </span>
          </div>
          <div className={s.progressRow} data-testid={testIds.commons.commandProgress(c.id)}>
            <div className={s.bar} role="progressbar" aria-valuenow={c.percent} aria-valuemin={0} aria-valuemax={100}>
              <div className={s.fill} style={{ width: `${Math.max(0, Math.min(100, c.percent))}%` }} />
            </div>
            <span>{c.percent}%</span>
            <span className={s.weak}>{c.message}</span>
          </div>
        </li>
      ))}
    </ul>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0 }),
  item: css({ padding: theme.spacing(1, 0), borderBottom: `1px solid ${theme.colors.border.weak}` }),
  head: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', flexWrap: 'wrap' }),
  progressRow: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', marginTop: theme.spacing(0.5) }),
  bar: css({ width: 160, height: 6, background: theme.colors.background.secondary, borderRadius: 3, overflow: 'hidden', flexShrink: 0 }),
  fill: css({ height: '100%', background: theme.colors.primary.main, transition: 'width 0.3s' }),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
