// The deployment revisions of a commons (developer and up): release,
// template, profile, who and why, and the diff each one made; Rollback to an
// earlier revision (operator) after asking why, then its progress.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, Field, Modal, TextArea, useStyles2 } from '@grafana/ui';
import { Fragment, useState } from 'react';
import { Link } from 'react-router-dom';
import type { CommonsDetail, RevisionSummary } from '../../../contracts/api';
import { DiffView } from '../../components/DiffView';
import { ErrorAlert } from '../../components/ErrorAlert';
import type { ApprovalView } from '../../../contracts/policies';
import { HeldForApproval } from '../approvals/Held';
import { queryStateView } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { pageUrl, ROUTES } from '../../constants';
import { useRevision, useRevisions, useRollback } from '../../data/useRevisions';
import type { LiveState } from '../../live/useLiveEvents';
import { isFinalDeployment } from '../../../contracts/api';
import { testIds } from '../../testIds';
import { DeploymentProgress } from '../deploy/DeploymentProgress';
import { dataTable } from '../../components/dataTable';

function RevisionDiff({ commons, n }: { commons: string; n: number }) {
  const s = useStyles2(styles);
  const r = useRevision(commons, n, true);
  return (
    queryStateView(r, `revision ${n}`) ?? (
      <div className={s.diff}>
        <DiffView text={r.data?.diff.text ?? ''} testId={testIds.commons.revisionDiff(n)} empty="This revision changed no values." />
        {r.data && Object.keys(r.data.overrides).length > 0 && (
          <details>
            <summary>Overrides</summary>
            <pre className={s.pre}>{JSON.stringify(r.data.overrides, null, 2)}</pre>
          </details>
        )}
      </div>
    )
  );
}

export function RevisionsPanel({ commons, canDeploy, live }: { commons: CommonsDetail; canDeploy: boolean; live: LiveState }) {
  const s = useStyles2(styles);
  const revisions = useRevisions(commons.id, true);
  const rollback = useRollback(commons.id);
  const [shown, setShown] = useState<number | null>(null);
  const [asking, setAsking] = useState<RevisionSummary | null>(null);
  const [reason, setReason] = useState('');
  const [started, setStarted] = useState<string | null>(null);
  const [held, setHeld] = useState<ApprovalView | null>(null);

  const items = revisions.data ?? [];
  const latest = items[0];
  const open = latest && !isFinalDeployment(latest.deployment.state) ? latest.deployment.id : null;
  const following = started ?? open;

  const confirm = () => {
    if (!asking || !reason.trim()) return;
    const to = asking.revision;
    setAsking(null);
    rollback.mutate({ toRevision: to, reason: reason.trim(), baseRevision: latest?.revision ?? null }, { onSuccess: (r) => ('approval' in r ? setHeld(r.approval) : setStarted(r.deployment.id)) });
  };

  return (
    <div data-testid={testIds.commons.revisions}>
      {canDeploy && (
        <p>
          <Link className={s.link} to={`${pageUrl(ROUTES.deploy)}?commons=${encodeURIComponent(commons.id)}`} data-testid={testIds.commons.deploy}>
            Deploy a release to {commons.name} →
          </Link>
        </p>
      )}
      {rollback.error ? <ErrorAlert error={rollback.error} action="Rollback" /> : null}
      {held && <HeldForApproval approval={held} onRemove={() => setHeld(null)} />}
      {following && (
        <div data-testid={testIds.commons.rollbackProgress}>
          <DeploymentProgress key={following} id={following} live={live} canCancel={canDeploy} />
        </div>
      )}
      {queryStateView(revisions, 'the revision history') ??
        (items.length === 0 ? (
          <p className={s.weak}>No release has been deployed to this commons through DCOC yet.</p>
        ) : (
          <table className={s.table}>
            <thead>
              <tr>
                <th>Revision</th>
                <th>Release</th>
                <th>Template / profile</th>
                <th>Who and why</th>
                <th>When</th>
                <th>Rollout</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <Fragment key={r.revision}>
                  <tr data-testid={testIds.commons.revisionRow(r.revision)}>
                    <td>
                      <strong>{r.revision}</strong>
                      {r.revision === latest?.revision && <Badge className={s.badge} color="green" text="current" />}
                      {r.kind === 'rollback' && <div className={s.weak}>rollback to {r.rollbackOf}</div>}
                    </td>
                    <td>{r.release}</td>
                    <td>
                      {r.template} / {r.profile}
                      <div className={s.weak}>{r.changes} value change{r.changes === 1 ? '' : 's'}</div>
                    </td>
                    <td>
                      {r.author}
                      {r.reason && <div className={s.weak}>{r.reason}</div>}
                    </td>
                    <td>
                      <TimeAgo at={r.createdAt} />
                    </td>
                    <td>
                      <StatusBadge status={r.deployment.state} testId={testIds.commons.revisionState(r.revision)} />
                      {r.deployment.gitopsCommit && <div className={s.weak}>commit {r.deployment.gitopsCommit.slice(0, 12)}</div>}
                    </td>
                    <td>
                      <div className={s.actions}>
                        <Button
                          size="sm"
                          variant="secondary"
                          icon={shown === r.revision ? 'angle-up' : 'angle-down'}
                          onClick={() => setShown(shown === r.revision ? null : r.revision)}
                          data-testid={testIds.commons.revisionDiffToggle(r.revision)}
                        >
                          Diff
                        </Button>
                        {canDeploy && r.revision !== latest?.revision && (
                          <Button
                            size="sm"
                            variant="secondary"
                            icon="history"
                            disabled={!!open || rollback.isPending}
                            onClick={() => {
                              setReason('');
                              setAsking(r);
                            }}
                            data-testid={testIds.commons.rollback(r.revision)}
                          >
                            Roll back
                          </Button>
                        )}
                      </div>
                    </td>
                  </tr>
                  {shown === r.revision && (
                    <tr>
                      <td colSpan={7}>
                        <RevisionDiff commons={commons.id} n={r.revision} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        ))}
      <Modal title={asking ? `Roll ${commons.name} back to revision ${asking.revision}?` : ''} isOpen={!!asking} onDismiss={() => setAsking(null)}>
        {asking && (
          <>
            <p>
              Records revision {(latest?.revision ?? 0) + 1} with the release ({asking.release}), template, profile and values of revision {asking.revision}, then
              rolls out the services whose images differ from what {commons.name} ({commons.id}) runs now.
            </p>
            <Field label="Reason" description="Required: it goes in the revision, the audit log and the GitOps commit." invalid={!reason.trim()} error={reason.trim() ? undefined : 'Say why you roll back'}>
              <TextArea rows={2} autoFocus value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-testid={testIds.commons.rollbackReason} />
            </Field>
            <Modal.ButtonRow>
              <Button variant="secondary" fill="outline" onClick={() => setAsking(null)}>
                Cancel
              </Button>
              <Button variant="destructive" icon="history" disabled={!reason.trim()} onClick={confirm} data-testid={testIds.commons.confirmRollback}>
                {`Roll back to revision ${asking.revision}`}
              </Button>
            </Modal.ButtonRow>
          </>
        )}
      </Modal>
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  table: css(dataTable(theme)),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  badge: css({ marginLeft: theme.spacing(1) }),
  actions: css({ display: 'flex', gap: theme.spacing(1), whiteSpace: 'nowrap' }),
  link: css({ color: theme.colors.text.link, fontWeight: theme.typography.fontWeightMedium, '&:hover': { textDecoration: 'underline' } }),
  diff: css({ padding: theme.spacing(1, 0) }),
  pre: css({ fontSize: theme.typography.bodySmall.fontSize }),
});
