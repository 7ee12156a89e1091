// Stat panels summarising the commons (the per-commons dashboard has the time series).
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { LinkButton, useStyles2 } from '@grafana/ui';
import type { CommonsDetail } from '../../../contracts/api';
import { commonsDashboardPath } from '../../../contracts/dashboards';
import { testIds } from '../../testIds';

function Stat({ label, value, tone }: { label: string; value: string; tone: 'ok' | 'warn' | 'bad' | 'plain' }) {
  const s = useStyles2(styles);
  return (
    <div className={s.stat} aria-label={label}>
      <div className={s.label}>{label}</div>
      <div className={`${s.value} ${s[tone]}`}>{value}</div>
    </div>
  );
}

export function CommonsPanels({ commons }: { commons: CommonsDetail }) {
  const s = useStyles2(styles);
  const services = commons.services;
  const healthy = services.filter((x) => x.status === 'healthy').length;
  const ready = services.reduce((n, x) => n + x.readyReplicas, 0);
  const desired = services.reduce((n, x) => n + x.desiredReplicas, 0);
  const latencies = services.map((x) => x.health?.latencyMs).filter((x): x is number => typeof x === 'number');
  const slowest = latencies.length ? Math.max(...latencies) : null;
  return (
    <div className={s.panels} data-testid={testIds.commons.panels}>
      <Stat label="Services healthy" value={`${healthy} / ${services.length}`} tone={healthy === services.length ? 'ok' : healthy === 0 ? 'bad' : 'warn'} />
      <Stat label="Replicas ready" value={`${ready} / ${desired}`} tone={ready >= desired ? 'ok' : 'warn'} />
      <Stat label="Slowest health check" value={slowest === null ? '—' : `${Math.round(slowest)} ms`} tone={slowest !== null && slowest > 1000 ? 'warn' : 'plain'} />
      <Stat label="Config revision" value={String(commons.config.revision)} tone="plain" />
      <div className={s.link}>
        {/* The dashboard the control service generates for this commons (DCOC_DASHBOARDS_DIR). */}
        <LinkButton variant="secondary" fill="outline" icon="apps" href={commonsDashboardPath(commons.id)}>
          Dashboard for this commons
        </LinkButton>
      </div>
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  panels: css({ display: 'flex', gap: theme.spacing(2), flexWrap: 'wrap', alignItems: 'stretch', marginBottom: theme.spacing(3) }),
  stat: css({
    flex: '1 1 180px',
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1.5, 2),
  }),
  label: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  value: css({ fontSize: theme.typography.h2.fontSize, fontWeight: theme.typography.fontWeightMedium }),
  ok: css({ color: theme.colors.success.text }),
  warn: css({ color: theme.colors.warning.text }),
  bad: css({ color: theme.colors.error.text }),
  plain: css({ color: theme.colors.text.primary }),
  link: css({ display: 'flex', alignItems: 'center' }),
});
