// A unified diff (`diff -u`) of values YAML, coloured line by line.
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

function kind(line: string): 'add' | 'remove' | 'hunk' | 'file' | 'context' {
  if (line.startsWith('+++') || line.startsWith('---')) return 'file';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'remove';
  return 'context';
}

export function DiffView({ text, testId, empty = 'Nothing changes: the values are the same.' }: { text: string; testId?: string; empty?: string }) {
  const s = useStyles2(styles);
  if (!text.trim()) {
    return (
      <p className={s.empty} data-testid={testId}>
        {empty}
      </p>
    );
  }
  const lines = text.replace(/\n$/, '').split('\n');
  const added = lines.filter((l) => kind(l) === 'add').length;
  const removed = lines.filter((l) => kind(l) === 'remove').length;
  return (
    <div>
      <div className={s.counts}>
        <span className={s.addText}>+{added}</span> <span className={s.removeText}>−{removed}</span> lines
      </div>
      <pre className={s.pre} data-testid={testId} aria-label="Unified diff of the values">
        {lines.map((l, i) => (
          <span key={i} className={cx(s.line, s[kind(l)])}>
            {l || ' '}
            {'\n'}
          </span>
        ))}
      </pre>
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  pre: css({
    margin: 0,
    maxHeight: 460,
    overflow: 'auto',
    padding: theme.spacing(1, 0),
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    lineHeight: 1.5,
    background: theme.colors.background.canvas,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
  line: css({ display: 'block', padding: theme.spacing(0, 1.5), whiteSpace: 'pre' }),
  add: css({ background: theme.colors.success.transparent, color: theme.colors.success.text }),
  remove: css({ background: theme.colors.error.transparent, color: theme.colors.error.text }),
  hunk: css({ color: theme.colors.info.text }),
  file: css({ color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium }),
  context: css({ color: theme.colors.text.primary }),
  counts: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary, marginBottom: theme.spacing(0.5) }),
  addText: css({ color: theme.colors.success.text }),
  removeText: css({ color: theme.colors.error.text }),
  empty: css({ color: theme.colors.text.secondary }),
});
