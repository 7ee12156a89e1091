// ArgoCD ownership of a Deployment, as ArgoCD marks what it tracks (argo-cd
// docs, user-guide/resource_tracking, release 3.3: annotation tracking is the
// default; label tracking uses app.kubernetes.io/instance, which helm sets
// too). Names from uc-cdis/gen3-gitops bfd0d028
// bdcatprod/gen3.biodatacatalyst.nhlbi.nih.gov/templates/app.yaml
// (Application gen3-bdcatprod, helm releaseName gen3-bdcatprod).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gitopsOwner } from '../../agent/kubernetes/gitops-owner';

describe('gitops owner of a Deployment', () => {
  it('reads the tracking-id annotation (ArgoCD 3 default)', () => {
    const d = { metadata: { annotations: { 'argocd.argoproj.io/tracking-id': 'gen3-bdcatprod:apps/Deployment:bdcatprod-helm/fence-deployment' } } };
    assert.equal(gitopsOwner(d), 'argocd:gen3-bdcatprod');
  });
  it('reads a custom tracking label', () => {
    assert.equal(gitopsOwner({ metadata: { labels: { 'argocd.argoproj.io/instance': 'gen3-brhprod' } } }), 'argocd:gen3-brhprod');
  });
  it('does not take helm\'s app.kubernetes.io/instance for ArgoCD', () => {
    const d = { metadata: { labels: { 'app.kubernetes.io/instance': 'gen3-bdcatprod', 'app.kubernetes.io/managed-by': 'Helm' }, managedFields: [{ manager: 'helm', operation: 'Update' }] } };
    assert.equal(gitopsOwner(d), '');
  });
  it('takes app.kubernetes.io/instance when ArgoCD is the field manager (label tracking, ArgoCD 2)', () => {
    const d = { metadata: { labels: { 'app.kubernetes.io/instance': 'gen3-bdcatprod' }, managedFields: [{ manager: 'argocd-controller', operation: 'Apply' }] } };
    assert.equal(gitopsOwner(d), 'argocd:gen3-bdcatprod');
  });
  it('ignores malformed tracking values', () => {
    assert.equal(gitopsOwner({ metadata: { annotations: { 'argocd.argoproj.io/tracking-id': 'no-colon' } } }), '');
    assert.equal(gitopsOwner({ metadata: { labels: { 'argocd.argoproj.io/instance': 'Bad Name!' } } }), '');
    assert.equal(gitopsOwner({ metadata: {} }), '');
  });
});
