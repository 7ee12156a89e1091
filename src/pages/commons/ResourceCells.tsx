// CPU and memory of a service's pods (metrics.k8s.io) against the sums of
// their containers' requests and limits, for the services table; "—" with
// the reason on hover when metrics-server is not there or not readable.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Tooltip, useStyles2 } from '@grafana/ui';
import type { CommonsResources, ServiceResourcesView } from '../../../contracts/api';
import { toApiError } from '../../api/errors';
import { testIds } from '../../testIds';

export interface ResourcesColumn {
  data?: CommonsResources;
  error?: unknown;
  loading: boolean;
}

export function cores(n: number): string {
  if (n === 0) return '0';
  return n < 1 ? `${Math.round(n * 1000)}m` : `${n.toFixed(n < 10 ? 2 : 1)}`;
}

export function bytes(n: number): string {
  const mib = n / 1024 / 1024;
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib.toFixed(mib < 10 ? 1 : 0)} MiB`;
}

function Missing({ why, testId }: { why: string; testId: string }) {
  return (
    <Tooltip content={why}>
      <span tabIndex={0} aria-label={`not available: ${why}`} data-testid={testId} data-missing="true">
        —
      </span>
    </Tooltip>
  );
}

function why(col: ResourcesColumn): string | undefined {
  if (col.loading) return 'reading metrics…';
  if (col.error) return toApiError(col.error).message;
  if (col.data && !col.data.available) return col.data.detail || 'metrics-server is not available in the cluster';
  return undefined;
}

export function CpuCell({ service, col }: { service: string; col: ResourcesColumn }) {
  const s = useStyles2(styles);
  const r = col.data?.items.find((x) => x.service === service);
  const reason = why(col) ?? (r ? undefined : 'no metrics for its pods');
  if (reason || !r) return <Missing why={reason ?? ''} testId={testIds.commons.serviceCpu(service)} />;
  return (
    <span data-testid={testIds.commons.serviceCpu(service)}>
      {cores(r.cpuCores)}
      <div className={s.weak}>{limits(r, 'cpu')}</div>
    </span>
  );
}

export function MemoryCell({ service, col }: { service: string; col: ResourcesColumn }) {
  const s = useStyles2(styles);
  const r = col.data?.items.find((x) => x.service === service);
  const reason = why(col) ?? (r ? undefined : 'no metrics for its pods');
  if (reason || !r) return <Missing why={reason ?? ''} testId={testIds.commons.serviceMemory(service)} />;
  return (
    <span data-testid={testIds.commons.serviceMemory(service)}>
      {bytes(r.memoryBytes)}
      <div className={s.weak}>{limits(r, 'memory')}</div>
    </span>
  );
}

function limits(r: ServiceResourcesView, kind: 'cpu' | 'memory'): string {
  const fmt = (v: number | null) => (v === null ? 'not set' : kind === 'cpu' ? cores(v) : bytes(v));
  return kind === 'cpu' ? `req ${fmt(r.cpuRequestCores)} · lim ${fmt(r.cpuLimitCores)}` : `req ${fmt(r.memoryRequestBytes)} · lim ${fmt(r.memoryLimitBytes)}`;
}

const styles = (theme: GrafanaTheme2) => ({
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
