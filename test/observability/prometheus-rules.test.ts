// `promtool check rules` and `promtool test rules` pass on
// the Prometheus rule file, including a service down for 5 minutes firing and a
// healthy fleet firing nothing (fixtures/dcoc-alerts.promtest.yml).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROMTOOL, PROM_RULES_FILE, PROVISIONING, ROOT, requireTools, run } from './support';

const PROMTEST = join(ROOT, 'test', 'observability', 'fixtures', 'dcoc-alerts.promtest.yml');

/** The unit tests run against a changed copy of the rule file, in a temp directory. */
function promtestAgainst(promtool: string, rules: string): { status: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-promtest-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), rules);
    const tests = readFileSync(PROMTEST, 'utf8').replace('../../../provisioning/prometheus/dcoc-alerts.yml', 'rules.yml');
    writeFileSync(join(dir, 'tests.yml'), tests);
    return run(promtool, ['test', 'rules', join(dir, 'tests.yml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Prometheus rule file', () => {
  it('promtool check rules accepts it: ten rules', (t) => {
    const [promtool] = requireTools(t, PROMTOOL) ?? [];
    if (!promtool) return;
    const r = run(promtool, ['check', 'rules', PROM_RULES_FILE]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /SUCCESS: 10 rules found/);
  });

  it('promtool check config accepts the docker compose Prometheus config, which loads the rule file', (t) => {
    const [promtool] = requireTools(t, PROMTOOL) ?? [];
    if (!promtool) return;
    const r = run(promtool, ['check', 'config', join(PROVISIONING, 'prometheus', 'prometheus.yml')]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /dcoc-alerts\.yml\s+SUCCESS: 10 rules found/);
  });

  it('promtool test rules passes: service down 5 minutes fires, a healthy fleet fires nothing, and the other rules fire as designed', (t) => {
    const [promtool] = requireTools(t, PROMTOOL) ?? [];
    if (!promtool) return;
    const r = run(promtool, ['test', 'rules', PROMTEST]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /SUCCESS/);
  });

  it('the unit tests catch a changed rule (service down after 4 or 10 minutes, a missing scale-to-zero exception)', (t) => {
    const [promtool] = requireTools(t, PROMTOOL) ?? [];
    if (!promtool) return;
    const shipped = readFileSync(PROM_RULES_FILE, 'utf8');
    const same = promtestAgainst(promtool, shipped);
    assert.equal(same.status, 0, `the copy itself must pass: ${same.out}`);
    const serviceDown = /(alert: DCOCServiceDown\n\s+expr: [^\n]+\n\s+for: )5m/;
    assert.match(shipped, serviceDown);
    for (const changed of [
      shipped.replace(serviceDown, '$14m'),
      shipped.replace(serviceDown, '$110m'),
      shipped.replace(' * on (commons, environment, service) (dcoc_service_replicas_desired > bool 0) > 0', ' > 0'),
    ]) {
      assert.notEqual(changed, shipped);
      const r = promtestAgainst(promtool, changed);
      assert.notEqual(r.status, 0, `promtool test rules passed on a changed rule file:\n${changed}`);
      assert.match(r.out, /DCOCServiceDown/);
    }
  });

  it('the unit tests catch a changed request-errors rule (threshold, for, the traffic floor)', (t) => {
    const [promtool] = requireTools(t, PROMTOOL) ?? [];
    if (!promtool) return;
    const shipped = readFileSync(PROM_RULES_FILE, 'utf8');
    const rule = /(alert: DCOCRequestErrors\n\s+expr: )([^\n]+) > 0\.05(\n\s+for: )5m/;
    assert.match(shipped, rule);
    const change = (threshold: string, forM: string, floor = '10') =>
      shipped.replace(rule, (_m, a: string, expr: string, b: string) => `${a}${expr.replace(' >= 10)', ` >= ${floor})`)} > ${threshold}${b}${forM}`);
    assert.equal(change('0.05', '5m'), shipped);
    for (const changed of [change('0.03', '5m'), change('0.05', '4m'), change('0.05', '6m'), change('0.05', '5m', '1')]) {
      assert.notEqual(changed, shipped);
      const r = promtestAgainst(promtool, changed);
      assert.notEqual(r.status, 0, `promtool test rules passed on a changed rule file:\n${changed}`);
      assert.match(r.out, /DCOCRequestErrors/);
    }
  });
});

describe('Prometheus rule file: external checks', () => {
  it('the unit tests catch a changed certificate rule (7 days instead of 14, no aggregation over replicas)', (t) => {
    const [promtool] = requireTools(t, PROMTOOL) ?? [];
    if (!promtool) return;
    const shipped = readFileSync(PROM_RULES_FILE, 'utf8');
    const expiring = 'min by (commons, environment) (dcoc_external_tls_cert_expiry_timestamp_seconds) - time() < 1209600';
    const down = 'max by (commons, environment, endpoint) (dcoc_external_up) < 1';
    assert.ok(shipped.includes(expiring) && shipped.includes(down));
    for (const [changed, alert] of [
      [shipped.replace(expiring, expiring.replace('1209600', '604800')), 'DCOCExternalCertificateExpiring'],
      [shipped.replace(down, 'dcoc_external_up < 1'), 'DCOCExternalEndpointDown'],
    ] as const) {
      const r = promtestAgainst(promtool, changed);
      assert.notEqual(r.status, 0, `promtool test rules passed on a changed rule file (${alert})`);
      assert.match(r.out, new RegExp(alert));
    }
  });
});
