// The deploy wizard (operator): choose → plan (the diff and the service
// changes, nothing changed yet) → apply with a reason. Applying hands the
// new deployment to the page, which follows its progress.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, useStyles2 } from '@grafana/ui';
import { useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { DeploymentView } from '../../../contracts/api';
import { toApiError } from '../../api/errors';
import { ErrorAlert } from '../../components/ErrorAlert';
import { queryStateView } from '../../components/QueryState';
import { useApplyDeployment, usePlanDeployment } from '../../data/useDeployments';
import { useFleet } from '../../data/useFleet';
import { useProfiles } from '../../data/useProfiles';
import { useReleases } from '../../data/useReleases';
import { useRevisions } from '../../data/useRevisions';
import { useTemplates } from '../../data/useTemplates';
import type { DeploymentPlan as DeploymentPlanView } from '../../../contracts/api';
import { testIds } from '../../testIds';
import { DeployForm } from './DeployForm';
import { buildRequest, emptyInput, planKey, type DeployInput } from './deployInput';
import { PlanReview } from './PlanReview';
import type { ApprovalView } from '../../../contracts/policies';
import { HeldForApproval } from '../approvals/Held';

function Step({ n, title, children }: { n: number; title: string; children: ReactNode }) {
  const s = useStyles2(styles);
  return (
    <section className={s.step}>
      <h3 className={s.stepTitle}>
        <span className={s.stepNumber}>{n}</span>
        {title}
      </h3>
      {children}
    </section>
  );
}

export function DeployWizard({ onApplied }: { onApplied: (d: DeploymentView) => void }) {
  const s = useStyles2(styles);
  const [params] = useSearchParams();
  const fleet = useFleet();
  const releases = useReleases();
  const templates = useTemplates();
  const profiles = useProfiles();
  const [input, setInput] = useState<DeployInput>(() => emptyInput(params.get('commons')));
  const existing = input.target === 'existing' && !!input.commons;
  const revisions = useRevisions(input.commons ?? '', existing);
  const latest = existing ? revisions.data?.[0] : undefined;
  const plan = usePlanDeployment();
  const apply = useApplyDeployment();
  const [planned, setPlanned] = useState<{ key: string; plan: DeploymentPlanView } | null>(null);
  const [tried, setTried] = useState(false);
  // Answered 202 with an approval: the deploy waits for a second person instead of rolling out.
  const [held, setHeld] = useState<ApprovalView | null>(null);

  const state =
    queryStateView(fleet, 'the fleet') ?? queryStateView(releases, 'the releases') ?? queryStateView(templates, 'the templates') ?? queryStateView(profiles, 'the profiles');
  if (state) return state;

  const { request, missing } = buildRequest(input, latest);
  const key = planKey(request);
  const stale = !!planned && planned.key !== key;
  const reason = input.reason.trim();
  const serverError = apply.error ? toApiError(apply.error) : plan.error ? toApiError(plan.error) : undefined;

  const onPlan = () => {
    setTried(true);
    if (!request) return;
    apply.reset();
    setHeld(null);
    plan.mutate(request, { onSuccess: (p) => setPlanned({ key: planKey(request), plan: p }) });
  };
  const onApply = () => {
    if (!request || !planned || stale || !reason) return;
    apply.mutate({ ...request, reason, baseRevision: planned.plan.base.revision }, { onSuccess: (r) => ('approval' in r ? setHeld(r.approval) : onApplied(r.deployment)) });
  };

  return (
    <div>
      <Step n={1} title="Choose what to deploy">
        <DeployForm
          input={input}
          onChange={setInput}
          fleet={fleet.data ?? []}
          releases={releases.data ?? []}
          templates={templates.data ?? []}
          profiles={profiles.data ?? []}
          latest={latest}
          revisionsLoading={existing && revisions.isPending}
          missing={missing}
          showMissing={tried}
          serverError={serverError}
        />
        {plan.error ? <ErrorAlert error={plan.error} action="Planning" /> : null}
        <Button icon="eye" onClick={onPlan} disabled={plan.isPending || (tried && !request)} data-testid={testIds.deploy.plan}>
          {plan.isPending ? 'Planning…' : planned ? 'Plan again' : 'Plan: show what would change'}
        </Button>
        <span className={s.hint}>Planning changes nothing.</span>
      </Step>

      {planned && (
        <>
          <Step n={2} title="Review the plan">
            {stale && (
              <Alert severity="warning" title="The choices changed since this plan" data-testid={testIds.deploy.planStale}>
                Plan again to review what the new choices would change before applying them.
              </Alert>
            )}
            <PlanReview plan={planned.plan} />
          </Step>
          <Step n={3} title="Apply">
            {apply.error ? <ErrorAlert error={apply.error} action="Applying" /> : null}
            {held && <HeldForApproval approval={held} />}
            {apply.error && toApiError(apply.error).status === 409 && (
              <p>
                <Button variant="secondary" icon="sync" onClick={onPlan}>
                  Plan again against the current revision
                </Button>
              </p>
            )}
            <div className={s.applyRow}>
              <Button icon="rocket" onClick={onApply} disabled={stale || !reason || apply.isPending || !!held} data-testid={testIds.deploy.apply}>
                {apply.isPending ? 'Applying…' : `Apply revision ${planned.plan.nextRevision} to ${planned.plan.commons.id}`}
              </Button>
              <span className={s.hint} data-testid={testIds.deploy.applyNote}>
                {stale
                  ? 'Plan again first: this plan is not what the form now says.'
                  : !reason
                    ? 'Give a reason above to apply: it goes in the revision, the audit log and the GitOps commit.'
                    : `Records revision ${planned.plan.nextRevision} with your reason, then rolls out ${planned.plan.services.filter((x) => x.changes).length} service(s).`}
              </span>
            </div>
          </Step>
        </>
      )}
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  step: css({ marginBottom: theme.spacing(3) }),
  stepTitle: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1) }),
  stepNumber: css({
    display: 'inline-flex',
    alignItems: 'center',
    justifyContent: 'center',
    width: 26,
    height: 26,
    borderRadius: '50%',
    background: theme.colors.primary.main,
    color: theme.colors.primary.contrastText,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  hint: css({ color: theme.colors.text.secondary, marginLeft: theme.spacing(2) }),
  applyRow: css({ display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: theme.spacing(1) }),
});
