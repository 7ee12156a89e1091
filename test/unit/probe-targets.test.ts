// Every in-cluster probe dials the Service gen3-helm
// renders, on the Service's port, at the path its readiness probe uses. Facts
// from uc-cdis/gen3-helm 42cc46bc:
//   helm/<svc>/values.yaml `service.port: 80` (wts: `service.httpPort: 80`),
//   helm/<svc>/templates/service.yaml (name; port → targetPort http),
//   helm/frontend-framework/templates/service.yaml (ports 80 and 443 → .Values.port),
//   helm/frontend-framework/templates/deployment.yaml (readiness /ff when global.frontendRoot is "portal"),
//   helm/sheepdog|peregrine/templates/deployment.yaml (readiness /_status?timeout=2),
//   helm/arborist/templates/deployment.yaml (/health).
// Before the fix DCOC dialed container ports (arborist 8080, hatchery, guppy,
// sower and ssjdispatcher 8000, frontend-framework 3000): down on every real cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterHealthTargets } from '../../agent/collectors/gen3-health';

const GEN3_HELM_42CC46BC: Record<string, string> = {
  arborist: 'http://arborist-service.ns.svc.cluster.local/health',
  hatchery: 'http://hatchery-service.ns.svc.cluster.local/_status',
  guppy: 'http://guppy-service.ns.svc.cluster.local/_status',
  sower: 'http://sower-service.ns.svc.cluster.local/_status',
  ssjdispatcher: 'http://ssjdispatcher-service.ns.svc.cluster.local/_status',
  'frontend-framework': 'http://frontend-framework-service.ns.svc.cluster.local/ff',
  sheepdog: 'http://sheepdog-service.ns.svc.cluster.local/_status?timeout=2',
  peregrine: 'http://peregrine-service.ns.svc.cluster.local/_status?timeout=2',
  fence: 'http://fence-service.ns.svc.cluster.local/_status',
  indexd: 'http://indexd-service.ns.svc.cluster.local/_status',
  wts: 'http://workspace-token-service.ns.svc.cluster.local/_status',
  revproxy: 'http://revproxy-service.ns.svc.cluster.local/_status',
};

describe('in-cluster probe targets', () => {
  it('use the Service name and port gen3-helm renders, and its readiness path', () => {
    const targets = clusterHealthTargets('ns')(Object.keys(GEN3_HELM_42CC46BC));
    assert.deepEqual(Object.fromEntries(targets.map((t) => [t.service, t.url])), GEN3_HELM_42CC46BC);
  });
});
