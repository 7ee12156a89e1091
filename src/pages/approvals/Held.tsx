// What a change answered "held for approval" shows instead of progress: the
// change is waiting for a second person, with a link to the approvals page.
import { Alert } from '@grafana/ui';
import type { ApprovalView } from '../../../contracts/policies';
import { pageUrl, ROUTES } from '../../constants';
import { testIds } from '../../testIds';

/** One line for a held change: what waits, for whom, until when. */
export function heldText(a: Pick<ApprovalView, 'summary' | 'approvers' | 'policies' | 'id'>): string {
  return `Waiting for approval: ${a.summary}. Policy ${a.policies.join(', ')} needs a second person with role ${a.approvers} or higher to approve it (approval ${a.id}).`;
}

export function HeldForApproval({ approval, onRemove }: { approval: ApprovalView; onRemove?: () => void }) {
  return (
    <Alert severity="info" title="Waiting for approval" data-testid={testIds.approvals.held} onRemove={onRemove}>
      {heldText(approval)} <a href={pageUrl(ROUTES.approvals)}>Open approvals</a>
    </Alert>
  );
}
