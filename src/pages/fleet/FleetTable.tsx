// The fleet as a virtualised table: only the rows in view are in the DOM, so
// a thousand commons scroll as smoothly as three.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, useStyles2 } from '@grafana/ui';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { Link } from 'react-router-dom';
import type { CommonsSummary } from '../../../contracts/api';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { commonsUrl } from '../../constants';
import { testIds } from '../../testIds';
import { labelTexts } from './filterFleet';

const ROW_HEIGHT = 44;
const COLUMNS = 'minmax(220px, 2.2fr) 120px minmax(110px, 1fr) minmax(120px, 1.4fr) 100px 110px minmax(130px, 1fr) 90px';

export function FleetTable({ items, alerts }: { items: CommonsSummary[]; alerts: Map<string, number> | undefined }) {
  const s = useStyles2(styles);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    // Without layout (first paint, tests) assume a viewport rather than render nothing.
    initialRect: { width: 1200, height: 640 },
  });
  return (
    <div className={s.table} role="table" aria-label="Commons" aria-rowcount={items.length} data-testid={testIds.fleet.table}>
      <div className={s.header} role="row">
        {['Commons', 'Status', 'Environment', 'Labels', 'Release', 'Services', 'Agent last seen', 'Alerts'].map((h) => (
          <div role="columnheader" key={h}>
            {h}
          </div>
        ))}
      </div>
      <div ref={scroller} className={s.body}>
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((row) => {
            const c = items[row.index];
            const firing = alerts?.get(c.id) ?? 0;
            return (
              <div
                key={c.id}
                role="row"
                aria-rowindex={row.index + 1}
                className={s.row}
                style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
                data-testid={testIds.fleet.row(c.id)}
              >
                <div role="cell" className={s.name}>
                  <Link to={commonsUrl(c.id)} className={s.link} data-testid={testIds.fleet.link(c.id)}>
                    {c.name}
                  </Link>
                  <span className={s.host}>{c.hostname}</span>
                </div>
                <div role="cell">
                  <StatusBadge status={c.status} testId={testIds.fleet.status(c.id)} />
                </div>
                <div role="cell">{c.environment}</div>
                <div role="cell" className={s.labels} data-testid={testIds.fleet.labels(c.id)} title={labelTexts(c).join('\n')}>
                  {labelTexts(c).map((l) => (
                    <span key={l} className={s.label}>
                      {l}
                    </span>
                  ))}
                </div>
                <div role="cell">{c.version || '—'}</div>
                <div role="cell">
                  {c.services.healthy}/{c.services.total} healthy
                </div>
                <div role="cell">
                  {c.agent.connected ? '' : 'offline · '}
                  <TimeAgo at={c.agent.lastSeen} />
                </div>
                <div role="cell" data-testid={testIds.fleet.alerts(c.id)}>
                  {alerts === undefined ? '—' : firing > 0 ? <Badge color="red" icon="fire" text={`${firing} firing`} /> : '0'}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  table: css({ border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default, background: theme.colors.background.primary }),
  header: css({
    display: 'grid',
    gridTemplateColumns: COLUMNS,
    gap: theme.spacing(1),
    padding: theme.spacing(1, 2),
    fontWeight: theme.typography.fontWeightMedium,
    color: theme.colors.text.secondary,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
  body: css({ maxHeight: 'calc(100vh - 320px)', minHeight: ROW_HEIGHT * 3, overflowY: 'auto' }),
  row: css({
    position: 'absolute',
    top: 0,
    left: 0,
    width: '100%',
    display: 'grid',
    gridTemplateColumns: COLUMNS,
    gap: theme.spacing(1),
    alignItems: 'center',
    padding: theme.spacing(0, 2),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    '&:hover': { background: theme.colors.action.hover },
  }),
  name: css({ display: 'flex', flexDirection: 'column', lineHeight: 1.2, overflow: 'hidden', whiteSpace: 'nowrap' }),
  link: css({ color: theme.colors.text.link, fontWeight: theme.typography.fontWeightMedium, '&:hover': { textDecoration: 'underline' } }),
  host: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  labels: css({ display: 'flex', gap: theme.spacing(0.5), overflow: 'hidden', whiteSpace: 'nowrap' }),
  label: css({
    padding: theme.spacing(0, 0.75),
    borderRadius: theme.shape.radius.pill,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
