// A config change as a change of global.*. Keys and
// readers from uc-cdis/gen3-helm 42cc46bc: helm/gen3/templates/global-manifest.yaml
// (key ← global value), helm/portal/templates/deployment-cached.yaml
// (portal reads portal_app via configMapKeyRef), helm/sheepdog/templates/
// deployment.yaml (sheepdog reads public_datasets).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globalChange } from '../../contracts/gen3/global-config';

const base = { hostname: 'data.example.org', environment: 'exampleprod', maintenance_mode: 'off', tier_access_level: 'private', portal_app: 'gitops', public_datasets: 'false' };

describe('config change → global values', () => {
  it('maps chart keys to their global values and restarts the services that read them from the ConfigMap', () => {
    const c = globalChange(base, { ...base, maintenance_mode: 'on', portal_app: 'gitops-v2', public_datasets: 'true' });
    assert.deepEqual(c.errors, []);
    assert.deepEqual(c.global, { maintenanceMode: 'on', portalApp: 'gitops-v2', publicDataSets: 'true' });
    assert.deepEqual(c.restart, ['portal', 'sheepdog']);
  });
  it('other keys go to manifestGlobalExtraValues; a removed key is deleted (null)', () => {
    const { tier_access_level: _t, ...rest } = base;
    const c = globalChange(base, { ...rest, my_flag: 'yes' });
    assert.deepEqual(c.global, { tierAccessLevel: null, manifestGlobalExtraValues: { my_flag: 'yes' } });
    assert.deepEqual(c.restart, []);
  });
  it('origins_allow_credentials is a JSON list; netpolicy cannot be a string', () => {
    assert.deepEqual(globalChange(base, { ...base, origins_allow_credentials: '["https://a.example.org"]' }).global, { origins_allow_credentials: ['https://a.example.org'] });
    assert.equal(globalChange(base, { ...base, origins_allow_credentials: 'https://a' }).errors[0].field, 'body.data.origins_allow_credentials');
    assert.equal(globalChange(base, { ...base, netpolicy: 'on' }).errors[0].field, 'body.data.netpolicy');
  });
  it('an unchanged config is no change', () => assert.deepEqual(globalChange(base, { ...base }), { global: {}, restart: [], errors: [] }));
});

describe('manifest-global as gen3-helm renders it', () => {
  it('writes every unconditional key (nil as ""), the set conditional ones and the extra values', async () => {
    const { renderManifestGlobal } = await import('../../contracts/gen3/global-config');
    const data = renderManifestGlobal({ hostname: 'data.example.org', environment: 'exampleprod', maintenanceMode: 'on', netPolicy: { enabled: false }, fenceURL: 'https://fence', manifestGlobalExtraValues: { my_flag: 'yes' } });
    assert.equal(data.hostname, 'data.example.org');
    assert.equal(data.maintenance_mode, 'on');
    assert.equal(data.portal_app, '');
    assert.equal(data.netpolicy, 'map[enabled:false]');
    assert.equal(data.fence_url, 'https://fence');
    assert.equal(data.my_flag, 'yes');
    assert.ok(!('indexd_url' in data));
  });
});
