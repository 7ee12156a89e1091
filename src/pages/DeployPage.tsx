// Deploy: the entry point for deploying a Gen3 release to a commons. The
// backend for it comes in a later release, and the page says so plainly.
import { PluginPage } from '@grafana/runtime';
import { Alert } from '@grafana/ui';
import { testIds } from '../testIds';

export function DeployPage() {
  return (
    <PluginPage subTitle="Deploy a Gen3 release to a commons">
      <div data-testid={testIds.deploy.page}>
        <Alert severity="info" title="Deploying is not available yet" data-testid={testIds.deploy.notice}>
          Deploying a Gen3 release (choosing the commons and the release, reviewing the changes, following the rollout and rolling back) comes in a later
          release of DCOC. Until then, deploy as you do today; restarts, scaling and config changes are on each commons&apos; page.
        </Alert>
      </div>
    </PluginPage>
  );
}
