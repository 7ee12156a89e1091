// A titled block of a page.
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { ReactNode } from 'react';

export function Section({ title, children, className }: { title: string; children: ReactNode; className?: string }) {
  const s = useStyles2(styles);
  return (
    <section className={cx(s.section, className)}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  section: css({ marginBottom: theme.spacing(3) }),
});
