// The commons namespace's Kubernetes events as a timeline per service,
// services with warnings first and, within each, warnings first then newest
// first (the order the control service answers in); a service filter.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Combobox, InlineField, useStyles2 } from '@grafana/ui';
import type { KubeEventView } from '../../../contracts/api';
import { queryStateView } from '../../components/QueryState';
import { TimeAgo } from '../../components/TimeAgo';
import { useKubernetesEvents } from '../../data/useKubernetesEvents';
import { testIds } from '../../testIds';

/** Events about no Gen3 service (the namespace, a node, a PVC of no service). */
const OTHER = 'other';

export function groupByService(items: readonly KubeEventView[]): { service: string; events: KubeEventView[]; warnings: number }[] {
  const groups = new Map<string, KubeEventView[]>();
  for (const e of items) {
    const key = e.service ?? OTHER;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.entries()]
    .map(([service, events]) => ({ service, events, warnings: events.filter((e) => e.type === 'Warning').length }))
    .sort((a, b) => Number(b.warnings > 0) - Number(a.warnings > 0) || (a.service === OTHER ? 1 : b.service === OTHER ? -1 : a.service.localeCompare(b.service)));
}

export function KubeEventsPanel({ commons, services, service, onService }: { commons: string; services: string[]; service: string | undefined; onService: (s: string | undefined) => void }) {
  const s = useStyles2(styles);
  const q = useKubernetesEvents(commons, service, { enabled: true });
  const state = queryStateView(q, 'Kubernetes events');
  return (
    <div data-testid={testIds.commons.kubeEvents}>
      <InlineField label="Service" labelWidth={10}>
        <div data-testid={testIds.commons.kubeEventsService}>
          <Combobox width={30} isClearable placeholder="all services" options={services.map((x) => ({ label: x, value: x }))} value={service ?? null} onChange={(o) => onService(o?.value)} />
        </div>
      </InlineField>
      {state ??
        (q.data && q.data.items.length === 0 ? (
          <p className={s.weak}>No Kubernetes events{service ? ` for ${service}` : ''}: Kubernetes keeps them for about an hour.</p>
        ) : (
          groupByService(q.data?.items ?? []).map((g) => (
            <div key={g.service} className={s.group} data-testid={testIds.commons.kubeEventGroup(g.service)}>
              <h4 className={s.title}>
                {g.service === OTHER ? 'Not of a service' : g.service} {g.warnings > 0 && <Badge color="orange" icon="exclamation-triangle" text={`${g.warnings} warning${g.warnings === 1 ? '' : 's'}`} />}
              </h4>
              <ol className={s.timeline}>
                {g.events.map((e, i) => (
                  <li key={`${e.objectKind}/${e.objectName}/${e.reason}/${i}`} className={e.type === 'Warning' ? s.warning : s.normal} data-testid={testIds.commons.kubeEvent} data-type={e.type}>
                    <div>
                      <strong>{e.reason}</strong> <span className={s.weak}>{e.objectKind.toLowerCase()}/{e.objectName}</span>
                      {e.count > 1 && <span className={s.weak}> ×{e.count}</span>} <span className={s.weak}>· <TimeAgo at={e.lastTime ?? e.firstTime} never="time unknown" /></span>
                    </div>
                    <div className={s.message}>{e.message}</div>
                  </li>
                ))}
              </ol>
            </div>
          ))
        ))}
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  group: css({ marginBottom: theme.spacing(2) }),
  title: css({ fontSize: theme.typography.h5.fontSize, display: 'flex', gap: theme.spacing(1), alignItems: 'center' }),
  timeline: css({ listStyle: 'none', margin: 0, padding: 0, maxHeight: 320, overflowY: 'auto', borderLeft: `2px solid ${theme.colors.border.medium}` }),
  normal: css({ padding: theme.spacing(0.5, 1.5), fontSize: theme.typography.bodySmall.fontSize }),
  warning: css({ padding: theme.spacing(0.5, 1.5), fontSize: theme.typography.bodySmall.fontSize, borderLeft: `3px solid ${theme.colors.warning.main}`, marginLeft: -2, color: theme.colors.warning.text }),
  weak: css({ color: theme.colors.text.secondary }),
  message: css({ color: theme.colors.text.primary, wordBreak: 'break-word' }),
});
