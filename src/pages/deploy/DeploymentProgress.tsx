// One deployment while it rolls out and after: overall state, percent and
// message, a progress bar per changing service (updated/desired), the GitOps
// commit, Cancel while it runs (operator), and where to go when it is done.
// Progress comes from `deployment.updated` events over Grafana Live, with
// polling GET deployments/{id} as the fallback.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, ConfirmModal, useStyles2 } from '@grafana/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { Link } from 'react-router-dom';
import type { DeploymentView, ServiceProgress } from '../../../contracts/api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ProgressBar, type BarTone } from '../../components/ProgressBar';
import { queryStateView } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { commonsUrl } from '../../constants';
import { keys } from '../../data/keys';
import { DEPLOYMENT_POLL_MS, applyDeploymentEvent, useCancelDeployment, useDeployment } from '../../data/useDeployments';
import { useLiveEvents, type LiveState } from '../../live/useLiveEvents';
import { isFinalDeployment } from '../../../contracts/api';
import type { SequencedEvent } from '../../../contracts/events';
import { testIds } from '../../testIds';

export function servicePercent(s: ServiceProgress): number {
  if (s.state === 'done') return 100;
  if (s.desired <= 0) return 0;
  return Math.round((Math.min(s.updated, s.desired) / s.desired) * 100);
}

const TONE: Record<ServiceProgress['state'], BarTone> = { pending: 'idle', rolling: 'active', done: 'done', failed: 'failed' };
/** quay.io/cdis/fence:2026.06 → quay.io/cdis/fence:2026.07 as "fence 2026.06 → 2026.07". */
function imageChange(from: string | null, to: string): string {
  const split = (image: string) => {
    const last = image.slice(image.lastIndexOf('/') + 1);
    const i = last.lastIndexOf(':');
    return i < 0 ? { name: last, tag: 'latest' } : { name: last.slice(0, i), tag: last.slice(i + 1) };
  };
  const b = split(to);
  if (!from) return `${b.name} ${b.tag} (new)`;
  const a = split(from);
  return a.name === b.name ? `${b.name} ${a.tag} → ${b.tag}` : `${a.name}:${a.tag} → ${b.name}:${b.tag}`;
}

function title(d: DeploymentView): string {
  return d.kind === 'rollback'
    ? `Rollback of ${d.commons} to revision ${d.rollbackOf ?? '?'} (release ${d.release}), as revision ${d.revision}`
    : `Release ${d.release} to ${d.commons}, revision ${d.revision}`;
}

function Outcome({ d }: { d: DeploymentView }) {
  if (d.state === 'succeeded') {
    return (
      <Alert severity="success" title={`Revision ${d.revision} is in place: ${d.commons} runs release ${d.release}`} data-testid={testIds.deploy.result}>
        {d.message}
      </Alert>
    );
  }
  if (d.state === 'cancelled') {
    return (
      <Alert severity="warning" title="The deployment was cancelled" data-testid={testIds.deploy.result}>
        {d.message} What was already applied stays; roll back from the commons page to undo it.
      </Alert>
    );
  }
  return (
    <Alert severity="error" title={`The deployment ${d.state === 'expired' ? 'ran out of time' : 'failed'}`} data-testid={testIds.deploy.result}>
      {d.message} Roll back to the previous revision from the commons page, or fix the cause and deploy again.
    </Alert>
  );
}

export interface DeploymentProgressProps {
  id: string;
  /** Live state of a subscription the page already holds; without it, this component subscribes itself (if `liveEnabled`). */
  live?: LiveState;
  liveEnabled?: boolean;
  canCancel: boolean;
  /** Shown when it has finished, e.g. "Start another deployment". */
  onFinished?: { label: string; onClick: () => void };
}

export function DeploymentProgress({ id, live: pageLive, liveEnabled = true, canCancel, onFinished }: DeploymentProgressProps) {
  const s = useStyles2(styles);
  const qc = useQueryClient();
  const ownSubscription = pageLive === undefined;
  // The commons is known once the deployment is; before that, polling covers it.
  const cachedCommons = qc.getQueryData<DeploymentView>(keys.deployment(id))?.commons;
  const onEvent = useCallback(
    (e: SequencedEvent) => {
      if (e.type !== 'deployment.updated' || e.deployment !== id) return;
      if (!applyDeploymentEvent(qc, e)) void qc.invalidateQueries({ queryKey: keys.deployment(id) });
      if (isFinalDeployment(e.state)) {
        void qc.invalidateQueries({ queryKey: ['deployments'] });
        void qc.invalidateQueries({ queryKey: keys.commons(e.commons) });
      }
    },
    [qc, id],
  );
  const ownLive = useLiveEvents(onEvent, { enabled: ownSubscription && liveEnabled && !!cachedCommons, commons: cachedCommons });
  const live = pageLive ?? ownLive;
  const q = useDeployment(id, { live: live === 'connected' });
  const cancel = useCancelDeployment();
  const [confirmCancel, setConfirmCancel] = useState(false);

  if (!q.data) return queryStateView(q, `deployment ${id}`);
  const d = q.data;
  const final = isFinalDeployment(d.state);
  return (
    <div className={s.box} data-testid={testIds.deploy.progress} data-state={d.state}>
      <div className={s.head}>
        <h4 className={s.title}>{title(d)}</h4>
        <span className={s.weak}>
          by {d.actor}, <TimeAgo at={d.createdAt} />
          {d.reason ? ` · “${d.reason}”` : ''}
        </span>
      </div>
      {q.error ? <ErrorAlert error={q.error} action="Refreshing the deployment" /> : null}
      <div className={s.overall}>
        <StatusBadge status={d.state} testId={testIds.deploy.state} />
        <ProgressBar percent={d.percent} width={320} label="Overall progress" tone={d.state === 'succeeded' ? 'done' : final ? 'failed' : 'active'} state={d.state} />
        <strong data-testid={testIds.deploy.percent}>{d.percent}%</strong>
        <span className={s.message} data-testid={testIds.deploy.message}>
          {d.message}
        </span>
      </div>
      {!final && (
        <p className={s.weak}>
          {live === 'connected' ? 'Following live (Grafana Live).' : `Live updates unavailable: refreshing every ${DEPLOYMENT_POLL_MS.fallback / 1000} s.`}
        </p>
      )}
      {d.services.length === 0 ? (
        <p className={s.weak}>No service changes in this revision.</p>
      ) : (
        <table className={s.table}>
          <thead>
            <tr>
              <th>Service</th>
              <th>Image</th>
              <th>Progress</th>
              <th>Updated / desired</th>
              <th>State</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {d.services.map((svc) => (
              <tr key={svc.name} data-testid={testIds.deploy.service(svc.name)}>
                <td>
                  <strong>{svc.name}</strong>
                </td>
                <td className={s.mono} title={`${svc.from ?? 'not deployed'} → ${svc.to}`}>
                  {imageChange(svc.from, svc.to)}
                </td>
                <td>
                  <ProgressBar percent={servicePercent(svc)} tone={TONE[svc.state]} label={`${svc.name} rollout`} testId={testIds.deploy.serviceBar(svc.name)} state={svc.state} />
                </td>
                <td>
                  {svc.updated} / {svc.desired}
                  <span className={s.weak}> ({svc.ready} ready)</span>
                </td>
                <td>
                  <StatusBadge status={svc.state} testId={testIds.deploy.serviceState(svc.name)} />
                </td>
                <td className={s.weak}>{svc.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {d.gitops.state !== 'disabled' && (
        <p className={s.weak}>
          GitOps: {d.gitops.state}
          {d.gitops.path ? ` · ${d.gitops.path}` : ''}
          {d.gitops.commit ? ` · commit ${d.gitops.commit.slice(0, 12)}` : ''}
        </p>
      )}
      {cancel.error ? <ErrorAlert error={cancel.error} action="Cancelling the deployment" /> : null}
      {final && <Outcome d={d} />}
      <div className={s.actions}>
        {!final && canCancel && (
          <Button variant="destructive" icon="times" disabled={cancel.isPending} onClick={() => setConfirmCancel(true)} data-testid={testIds.deploy.cancel}>
            {cancel.isPending ? 'Cancelling…' : 'Cancel deployment'}
          </Button>
        )}
        {final && (
          <Link to={commonsUrl(d.commons)} className={s.link} data-testid={testIds.deploy.commonsLink}>
            Open {d.commons}: services and revision history →
          </Link>
        )}
        {final && onFinished && (
          <Button variant="secondary" onClick={onFinished.onClick} data-testid={testIds.deploy.again}>
            {onFinished.label}
          </Button>
        )}
      </div>
      {d.progress && d.progress.length > 0 && (
        <details className={s.log}>
          <summary>Progress log ({d.progress.length})</summary>
          <ul>
            {d.progress.map((p, i) => (
              <li key={i}>
                <span className={s.weak}>{new Date(p.at).toLocaleTimeString()}</span> {p.state} {p.percent}% {p.message}
              </li>
            ))}
          </ul>
        </details>
      )}
      <ConfirmModal
        isOpen={confirmCancel}
        title="Cancel the deployment?"
        body={`Stop rolling out revision ${d.revision} to ${d.commons}? Services already changed stay on their new images; roll back afterwards to undo them.`}
        confirmText="Cancel deployment"
        dismissText="Keep rolling out"
        onConfirm={() => {
          setConfirmCancel(false);
          cancel.mutate(d.id);
        }}
        onDismiss={() => setConfirmCancel(false)}
      />
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  box: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(2),
    marginBottom: theme.spacing(2),
  }),
  head: css({ display: 'flex', gap: theme.spacing(2), alignItems: 'baseline', flexWrap: 'wrap', marginBottom: theme.spacing(1) }),
  title: css({ margin: 0 }),
  overall: css({ display: 'flex', gap: theme.spacing(1.5), alignItems: 'center', flexWrap: 'wrap', margin: theme.spacing(1, 0) }),
  message: css({ color: theme.colors.text.secondary }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    margin: theme.spacing(1, 0),
    'th, td': { padding: theme.spacing(0.75, 1.5), borderBottom: `1px solid ${theme.colors.border.weak}`, textAlign: 'left', verticalAlign: 'middle' },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
    'td:not(:last-child)': { whiteSpace: 'nowrap' },
    'td:last-child': { minWidth: 200 },
  }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  actions: css({ display: 'flex', gap: theme.spacing(2), alignItems: 'center', marginTop: theme.spacing(1) }),
  link: css({ color: theme.colors.text.link, fontWeight: theme.typography.fontWeightMedium, '&:hover': { textDecoration: 'underline' } }),
  log: css({ marginTop: theme.spacing(1), fontSize: theme.typography.bodySmall.fontSize, ul: { margin: 0, paddingLeft: theme.spacing(2), maxHeight: 200, overflowY: 'auto' } }),
});
