// Values files are read by Helm as YAML 1.1 (go-yaml via sigs.k8s.io/yaml),
// where on/off/yes/no/y/n are booleans: `maintenanceMode: on` reached
// gen3-helm's global-manifest.yaml as true and manifest-global said "true"
// (found by test/kube-real/config-helm.test.ts through real helm).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { toYaml } from '../../backend/deployments/values';
import { editValuesFile } from '../../backend/deployments/values-edit';

describe('values YAML for Helm', () => {
  const words = ['on', 'off', 'On', 'OFF', 'yes', 'no', 'Yes', 'NO', 'y', 'n', 'true', 'false', '2026.07', '1_000', '~', 'null'];
  it('quotes every string YAML 1.1 would read as something else', () => {
    const text = toYaml({ global: Object.fromEntries(words.map((w, i) => [`k${i}`, w])) });
    for (const [i, w] of words.entries()) assert.match(text, new RegExp(`k${i}: "${w.replace('~', '\\~')}"`), `${w} is quoted`);
    assert.deepEqual(parse(text, { version: '1.1' }), { global: Object.fromEntries(words.map((w, i) => [`k${i}`, w])) });
  });
  it('an in-place edit quotes them too', () => {
    const out = editValuesFile('global:\n  maintenanceMode: "off"  # window\n  x: 1\n', { global: { maintenanceMode: 'off' } }, { global: { maintenanceMode: 'on', extra: 'yes' } }, { header: '' });
    assert.equal(parse(out, { version: '1.1' }).global.maintenanceMode, 'on');
    assert.equal(parse(out, { version: '1.1' }).global.extra, 'yes');
    assert.match(out, /maintenanceMode: "on" {2}# window/);
  });
});
