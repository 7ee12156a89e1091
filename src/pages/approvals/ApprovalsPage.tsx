// Approvals: the changes a policy holds until a second person approves them,
// with what each would do, approve and reject (with a reason); updated live.
// Below, the policies that hold them.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Badge, Button, Field, Modal, RadioButtonGroup, TextArea, useStyles2, type BadgeColor } from '@grafana/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApprovalState, ApprovalView } from '../../../contracts/policies';
import { dataTable } from '../../components/dataTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Empty, queryStateView } from '../../components/QueryState';
import { TimeAgo } from '../../components/TimeAgo';
import { useApprovals, useDecideApproval } from '../../data/useApprovals';
import { allows, useWhoami } from '../../data/useWhoami';
import { useLiveEvents } from '../../live/useLiveEvents';
import { testIds } from '../../testIds';
import { PlanOfApproval } from './PlanOfApproval';
import { PoliciesSection } from './PoliciesSection';

const STATE_COLOR: Record<ApprovalState, BadgeColor> = {
  requested: 'blue',
  approved: 'blue',
  executed: 'green',
  rejected: 'orange',
  expired: 'darkgrey',
  failed: 'red',
};

const FILTERS: { label: string; value: ApprovalState | 'all' }[] = [
  { label: 'Waiting', value: 'requested' },
  { label: 'All', value: 'all' },
];

/** What came of a decided approval, in a few words. */
function outcome(a: ApprovalView): string {
  if (a.state === 'executed') return a.result?.deployment ? `started deployment ${a.result.deployment}` : a.result?.command ? `started command ${a.result.command}` : 'started';
  if (a.state === 'failed') return `could not start: ${a.error ?? 'unknown'}`;
  if (a.state === 'rejected') return `rejected: ${a.decisionReason ?? ''}`;
  return '';
}

export function ApprovalsPage() {
  const s = useStyles2(styles);
  const me = useWhoami();
  const [filter, setFilter] = useState<ApprovalState | 'all'>('requested');
  const approvals = useApprovals(filter);
  const decide = useDecideApproval();
  const qc = useQueryClient();
  const [rejecting, setRejecting] = useState<ApprovalView | null>(null);
  const [reason, setReason] = useState('');
  const [reviewing, setReviewing] = useState<ApprovalView | null>(null);
  useLiveEvents((e) => {
    if (e.type === 'approval.updated') void qc.invalidateQueries({ queryKey: ['approvals'] });
  });
  const canDecide = allows(me.data, 'services:operate');
  // Planning runs the deploy request in plan mode, which deployments:write allows.
  const canPlan = allows(me.data, 'deployments:write');
  const login = me.data?.user.login;
  const state = queryStateView(me, 'your DCOC role') ?? queryStateView(approvals, 'the approvals');

  const reject = () => {
    if (!rejecting || !reason.trim()) return;
    decide.mutate({ id: rejecting.id, decision: 'reject', reason: reason.trim() });
    setRejecting(null);
    setReason('');
  };

  return (
    <PluginPage subTitle="Changes a policy holds until a second person approves them">
      <div data-testid={testIds.approvals.page}>
        <div className={s.filters} data-testid={testIds.approvals.stateFilter}>
          <RadioButtonGroup options={FILTERS} value={filter} onChange={setFilter} />
        </div>
        {decide.error ? <ErrorAlert error={decide.error} action="Deciding" /> : null}
        {decide.data && (
          <Alert severity={decide.data.state === 'failed' ? 'error' : 'success'} title={`Approval ${decide.data.state}`} data-testid={testIds.approvals.decided} onRemove={() => decide.reset()}>
            {decide.data.summary}: {outcome(decide.data) || decide.data.state}
          </Alert>
        )}
        {state ??
          (approvals.data && approvals.data.length === 0 ? (
            <Empty message={filter === 'requested' ? 'Nothing is waiting for approval' : 'No change has been held for approval yet'} />
          ) : (
            <table className={s.table}>
              <thead>
                <tr>
                  <th>Asked</th>
                  <th>By</th>
                  <th>Change</th>
                  <th>Policy</th>
                  <th>State</th>
                  {canDecide && <th />}
                </tr>
              </thead>
              <tbody>
                {(approvals.data ?? []).map((a) => {
                  const own = !!login && a.requester.actor === login;
                  return (
                    <tr key={a.id} data-testid={testIds.approvals.row(a.id)}>
                      <td className={s.nowrap}>
                        <TimeAgo at={a.createdAt} />
                      </td>
                      <td>
                        {a.requester.actor}
                        <div className={s.weak}>{a.requester.role}</div>
                      </td>
                      <td>
                        <Badge text={a.kind} color="purple" /> {a.commons}
                        <div>{a.summary}</div>
                        {a.reason && <div className={s.weak}>why: {a.reason}</div>}
                        {canPlan && a.kind === 'deploy' && a.state === 'requested' && (
                          <Button size="sm" variant="secondary" fill="text" icon="eye" onClick={() => setReviewing(a)} data-testid={testIds.approvals.reviewPlan(a.id)}>
                            Review the plan
                          </Button>
                        )}
                      </td>
                      <td>
                        {a.policies.join(', ')}
                        <div className={s.weak}>approver: {a.approvers} or higher</div>
                      </td>
                      <td data-testid={testIds.approvals.state(a.id)}>
                        <Badge text={a.state} color={STATE_COLOR[a.state]} />
                        <div className={s.weak}>
                          {a.state === 'requested' ? (
                            <>
                              expires <TimeAgo at={a.expiresAt} />
                            </>
                          ) : (
                            <>
                              {a.decidedBy ? `by ${a.decidedBy} ` : ''}
                              {outcome(a)}
                            </>
                          )}
                        </div>
                      </td>
                      {canDecide && (
                        <td className={s.actions}>
                          {a.state === 'requested' && (
                            <>
                              <Button
                                size="sm"
                                icon="check"
                                disabled={own || decide.isPending}
                                tooltip={own ? 'You asked for this change: someone else must approve it' : undefined}
                                onClick={() => decide.mutate({ id: a.id, decision: 'approve' })}
                                data-testid={testIds.approvals.approve(a.id)}
                              >
                                Approve
                              </Button>
                              <Button size="sm" variant="destructive" fill="outline" icon="times" disabled={decide.isPending} onClick={() => setRejecting(a)} data-testid={testIds.approvals.reject(a.id)}>
                                {own ? 'Withdraw' : 'Reject'}
                              </Button>
                            </>
                          )}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ))}
        <Modal title={rejecting ? `Reject: ${rejecting.summary}?` : ''} isOpen={!!rejecting} onDismiss={() => setRejecting(null)}>
          <Field label="Reason" description="Required: the requester reads it, and it goes in the audit log." invalid={!reason.trim()} error={reason.trim() ? undefined : 'Say why'}>
            <TextArea rows={2} autoFocus value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-testid={testIds.approvals.rejectReason} />
          </Field>
          <Modal.ButtonRow>
            <Button variant="secondary" fill="outline" onClick={() => setRejecting(null)}>
              Cancel
            </Button>
            <Button variant="destructive" disabled={!reason.trim()} onClick={reject} data-testid={testIds.approvals.confirmReject}>
              Reject
            </Button>
          </Modal.ButtonRow>
        </Modal>
        {reviewing && <PlanOfApproval approval={reviewing} onDismiss={() => setReviewing(null)} />}
        <PoliciesSection canManage={allows(me.data, 'policies:manage')} />
      </div>
    </PluginPage>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  filters: css({ marginBottom: theme.spacing(2) }),
  table: css(dataTable(theme)),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  actions: css({ whiteSpace: 'nowrap', display: 'flex', gap: theme.spacing(1) }),
});
