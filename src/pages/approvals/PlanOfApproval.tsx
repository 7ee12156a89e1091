// What a held deploy would change, planned now from the exact request it
// holds (a plan changes nothing): what the approver reviews before approving.
import { Modal } from '@grafana/ui';
import { useEffect } from 'react';
import type { ApprovalView } from '../../../contracts/policies';
import { ErrorAlert } from '../../components/ErrorAlert';
import { type PlanRequest, usePlanDeployment } from '../../data/useDeployments';
import { testIds } from '../../testIds';
import { PlanReview } from '../deploy/PlanReview';

/** The held request as a plan request: without mode, base revision and approval. */
function planRequest(a: ApprovalView): PlanRequest {
  const { mode: _mode, baseRevision: _base, approvalId: _approval, ...rest } = a.request as PlanRequest & { mode?: unknown; baseRevision?: unknown; approvalId?: unknown };
  return rest;
}

export function PlanOfApproval({ approval, onDismiss }: { approval: ApprovalView; onDismiss: () => void }) {
  const plan = usePlanDeployment();
  const { mutate } = plan;
  useEffect(() => mutate(planRequest(approval)), [approval, mutate]);
  return (
    <Modal title={`What ${approval.summary} would change now`} isOpen onDismiss={onDismiss}>
      <div data-testid={testIds.approvals.plan}>
        {plan.error ? <ErrorAlert error={plan.error} action="Planning" /> : null}
        {plan.isPending && <p>Planning…</p>}
        {plan.data && <PlanReview plan={plan.data} />}
      </div>
    </Modal>
  );
}
