// A thin progress bar with its value for assistive technology and tests.
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

export type BarTone = 'active' | 'done' | 'failed' | 'idle';

export function ProgressBar({ percent, tone = 'active', width = 160, label, testId, state }: { percent: number; tone?: BarTone; width?: number | string; label: string; testId?: string; state?: string }) {
  const s = useStyles2(styles);
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div
      className={s.bar}
      style={{ width }}
      role="progressbar"
      aria-label={label}
      aria-valuenow={value}
      aria-valuemin={0}
      aria-valuemax={100}
      data-testid={testId}
      data-state={state}
    >
      <div className={cx(s.fill, s[tone])} style={{ width: `${value}%` }} />
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  bar: css({ height: 8, background: theme.colors.background.secondary, border: `1px solid ${theme.colors.border.weak}`, borderRadius: 4, overflow: 'hidden', flexShrink: 0 }),
  fill: css({ height: '100%', transition: 'width 0.4s' }),
  active: css({ background: theme.colors.primary.main }),
  done: css({ background: theme.colors.success.main }),
  failed: css({ background: theme.colors.error.main }),
  idle: css({ background: theme.colors.text.disabled }),
});
