// Step 2 of the deploy wizard: what applying would do, before anything is
// done: the unified diff of the values, the per-service image changes,
// warnings, where GitOps would commit, and the rendered values.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, useStyles2 } from '@grafana/ui';
import { DiffView } from '../../components/DiffView';
import type { DeploymentPlan as DeploymentPlanView } from '../../../contracts/api';
import { testIds } from '../../testIds';
import { imageParts, imageVersion } from '../../../contracts/image';

/** quay.io/cdis/fence:2026.07 → fence and 2026.07; a tag is shown as written (master, 1.2.1), a digest-pinned image by its digest. */
const lastPart = (repository: string) => repository.slice(repository.lastIndexOf('/') + 1);
const imageName = (image: string) => lastPart(imageParts(image).repository);
const tagOf = (image: string | null) => (image ? imageVersion(image) : 'none');

function baseText(p: DeploymentPlanView): string {
  if (p.base.source === 'revision') return `revision ${p.base.revision}`;
  if (p.base.source === 'observed') return 'what its agent reports (DCOC has no revision of it yet)';
  return 'nothing: it is a new commons';
}

export function PlanReview({ plan }: { plan: DeploymentPlanView }) {
  const s = useStyles2(styles);
  const changing = plan.services.filter((x) => x.changes);
  const unchanged = plan.services.filter((x) => !x.changes);
  return (
    <div data-testid={testIds.deploy.planView}>
      <p data-testid={testIds.deploy.planSummary}>
        Applying makes <strong>revision {plan.nextRevision}</strong> of <strong>{plan.commons.id}</strong> ({plan.commons.hostname}, {plan.commons.environment}
        {plan.commons.exists ? '' : ', a new commons'}): release <strong>{plan.release.version}</strong>
        {plan.release.name ? ` (${plan.release.name})` : ''}, template <strong>{plan.template}</strong>, profile <strong>{plan.profile}</strong>. Compared with {baseText(plan)}.
      </p>
      {plan.warnings.length > 0 && (
        <Alert severity="warning" title={plan.warnings.length === 1 ? 'One warning' : `${plan.warnings.length} warnings`} data-testid={testIds.deploy.warnings}>
          <ul className={s.list}>
            {plan.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </Alert>
      )}
      <p className={s.weak} data-testid={testIds.deploy.gitops}>
        {plan.gitops.enabled ? `GitOps: the values are committed to ${plan.gitops.path ?? 'the repository'} before the rollout.` : 'GitOps is not configured: the revision is kept by the control service only.'}
      </p>

      <div className={s.columns}>
        <section className={s.diff}>
          <h4>
            Values diff ({plan.diff.changes.length} value{plan.diff.changes.length === 1 ? '' : 's'})
          </h4>
          <DiffView text={plan.diff.text} testId={testIds.deploy.diff} />
        </section>
        <section className={s.services}>
          <h4>
            Services: {changing.length} changing, {unchanged.length} unchanged
          </h4>
          <table className={s.table} data-testid={testIds.deploy.planServices}>
            <thead>
              <tr>
                <th>Service (image)</th>
                <th>Tag now → after</th>
                <th>Replicas</th>
              </tr>
            </thead>
            <tbody>
              {[...changing, ...unchanged].map((svc) => (
                <tr key={svc.name} data-testid={testIds.deploy.planService(svc.name)} className={svc.changes ? undefined : s.quiet}>
                  <td title={`${svc.from ?? 'not deployed'} → ${svc.to}`}>
                    <strong>{svc.name}</strong>
                    {imageName(svc.to) !== svc.name && <span className={s.mono}> ({imageName(svc.to)})</span>}
                    {svc.from && imageName(svc.from) !== imageName(svc.to) && <span className={s.mono}> (was {imageName(svc.from)})</span>}
                  </td>
                  <td className={s.tags}>{svc.changes ? `${tagOf(svc.from)} → ${tagOf(svc.to)}` : `${tagOf(svc.to)} (unchanged)`}</td>
                  <td>{svc.desired}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <details className={s.values}>
        <summary>Rendered values (values.yaml for gen3-helm)</summary>
        <pre className={s.pre} data-testid={testIds.deploy.values}>
          {plan.valuesYaml}
        </pre>
      </details>
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  list: css({ margin: 0, paddingLeft: theme.spacing(2) }),
  weak: css({ color: theme.colors.text.secondary }),
  quiet: css({ color: theme.colors.text.secondary }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    marginBottom: theme.spacing(2),
    'th, td': { padding: theme.spacing(0.5, 1.5), borderBottom: `1px solid ${theme.colors.border.weak}`, textAlign: 'left' },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
  tags: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize, whiteSpace: 'nowrap' }),
  values: css({ marginTop: theme.spacing(2) }),
  columns: css({ display: 'flex', gap: theme.spacing(3), flexWrap: 'wrap', alignItems: 'flex-start' }),
  diff: css({ flex: '3 1 560px', minWidth: 0 }),
  services: css({ flex: '2 1 380px', minWidth: 0 }),
  pre: css({
    maxHeight: 400,
    overflow: 'auto',
    fontSize: theme.typography.bodySmall.fontSize,
    background: theme.colors.background.canvas,
    border: `1px solid ${theme.colors.border.weak}`,
    padding: theme.spacing(1),
  }),
});
