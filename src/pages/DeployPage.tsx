// Deploy: a wizard that plans a Gen3 release for a commons (existing or new),
// shows the diff and the service changes before anything happens, applies it
// with a reason, and follows the rollout service by service. Without
// deployments:write the page is read-only: deployments can be followed, not made.
import { PluginPage } from '@grafana/runtime';
import { Alert } from '@grafana/ui';
import { useSearchParams } from 'react-router-dom';
import { Forbidden, queryStateView } from '../components/QueryState';
import { allows, useWhoami } from '../data/useWhoami';
import { Section } from '../components/Section';
import { testIds } from '../testIds';
import { DeploymentProgress } from './deploy/DeploymentProgress';
import { DeployWizard } from './deploy/DeployWizard';
import { RecentDeployments } from './deploy/RecentDeployments';

export function DeployPage() {
  const me = useWhoami();
  const [params, setParams] = useSearchParams();
  const following = params.get('deployment');
  const canDeploy = allows(me.data, 'deployments:write');
  const canRead = allows(me.data, 'details:read');
  const canEvents = allows(me.data, 'events:read');
  const state = queryStateView(me, 'your DCOC role');

  return (
    <PluginPage subTitle="Plan a Gen3 release for a commons, review the changes, apply it and follow the rollout">
      <div data-testid={testIds.deploy.page}>
        {state ?? (
          <>
            {!canDeploy && (
              <Alert severity="info" title="Read only: you may follow deployments, not make them" data-testid={testIds.deploy.readOnly}>
                Planning and applying a deployment needs the DCOC operator role (the gen3-dcoc-app.deployments:write action).
                {canRead ? '' : ' Seeing deployments needs the developer role.'}
              </Alert>
            )}
            {following ? (
              <Section title="Deployment">
                {canRead ? (
                  <DeploymentProgress
                    key={following}
                    id={following}
                    liveEnabled={canEvents}
                    canCancel={canDeploy}
                    onFinished={canDeploy ? { label: 'Start another deployment', onClick: () => setParams({}) } : undefined}
                  />
                ) : (
                  <Forbidden what="this deployment" detail="It needs the DCOC developer role." />
                )}
              </Section>
            ) : (
              canDeploy && <DeployWizard onApplied={(d) => setParams({ deployment: d.id })} />
            )}
            <Section title="Recent deployments">{canRead ? <RecentDeployments /> : <Forbidden what="deployments" detail="They need the DCOC developer role." />}</Section>
          </>
        )}
      </div>
    </PluginPage>
  );
}
