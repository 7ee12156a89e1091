// The services of a commons: status, replicas, CPU and memory against requests
// and limits (developers and up), version, image, health latency, last restart
// and rollout; a link to its logs for those who may read them; actions for
// those who may operate.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { IconButton, useStyles2 } from '@grafana/ui';
import type { ServiceView } from '../../../contracts/api';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { testIds } from '../../testIds';
import { ServiceActions, type ServiceActionHandlers } from './ServiceActions';
import { dataTable } from '../../components/dataTable';
import { CpuCell, MemoryCell, type ResourcesColumn } from './ResourceCells';

export function ServicesTable({
  commonsName,
  services,
  actions,
  resources,
  onLogs,
}: {
  commonsName: string;
  services: ServiceView[];
  actions?: ServiceActionHandlers;
  resources?: ResourcesColumn;
  onLogs?: (service: string) => void;
}) {
  const s = useStyles2(styles);
  return (
    <table className={s.table} data-testid={testIds.commons.services}>
      <thead>
        <tr>
          <th>Service</th>
          <th>Status</th>
          <th>Replicas ready / desired</th>
          {resources && <th>CPU</th>}
          {resources && <th>Memory</th>}
          <th>Version</th>
          <th>Image</th>
          <th>Health</th>
          <th>Last restart</th>
          {actions && <th aria-label="Actions" />}
        </tr>
      </thead>
      <tbody>
        {[...services]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((svc) => (
            <tr key={svc.name} data-testid={testIds.commons.serviceRow(svc.name)}>
              <td>
                <strong>{svc.name}</strong>
                {onLogs && (
                  <IconButton name="file-alt" size="sm" tooltip={`Logs of ${svc.name}`} data-testid={testIds.commons.serviceLogs(svc.name)} onClick={() => onLogs(svc.name)} />
                )}
                {svc.reason && <div className={s.weak}>{svc.reason}</div>}
              </td>
              <td>
                <StatusBadge status={svc.status} testId={testIds.commons.serviceStatus(svc.name)} />
              </td>
              <td data-testid={testIds.commons.serviceReplicas(svc.name)}>
                {svc.readyReplicas} / {svc.desiredReplicas}
                {svc.updatedReplicas < svc.desiredReplicas && <span className={s.weak}> ({svc.updatedReplicas} updated)</span>}
              </td>
              {resources && (
                <td>
                  <CpuCell service={svc.name} col={resources} />
                </td>
              )}
              {resources && (
                <td>
                  <MemoryCell service={svc.name} col={resources} />
                </td>
              )}
              {/* The tag as written (2026.07, master, 1.2.1) or the digest: what the image says, not a release it is assumed to be. */}
              <td className={s.mono}>{svc.version || '—'}</td>
              <td className={s.mono}>{svc.image}</td>
              <td>
                {svc.health ? (
                  <span title={`${svc.health.url}: HTTP ${svc.health.httpStatus} ${svc.health.detail}`}>
                    {svc.health.ok ? 'ok' : 'failing'} · {Math.round(svc.health.latencyMs)} ms
                  </span>
                ) : (
                  '—'
                )}
              </td>
              <td data-testid={testIds.commons.serviceRestarted(svc.name)} data-restarted-at={svc.restartedAt ?? ''}>
                {svc.rollout ? <span>{svc.rollout}</span> : <TimeAgo at={svc.restartedAt} never="not since deploy" />}
              </td>
              {actions && (
                <td>
                  <ServiceActions commonsName={commonsName} service={svc} handlers={actions} />
                </td>
              )}
            </tr>
          ))}
      </tbody>
    </table>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  table: css({ ...dataTable(theme, 'middle'), 'td:not(:first-child)': { whiteSpace: 'nowrap' } }),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
});
