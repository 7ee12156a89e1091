// Per-service health body rules (gen3-facts.md §1.1) and the status rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeHealth } from '../../agent/collectors/health-rules';
import { serviceState } from '../../agent/core/service-status';
import type { WorkloadFacts } from '../../agent/core/types';

describe('health rules', () => {
  it('accepts each service body shape and rejects the others', () => {
    assert.equal(judgeHealth('text-healthy', 200, 'Healthy').ok, true);
    assert.equal(judgeHealth('text-healthy', 200, 'Unhealthy').ok, false);
    assert.equal(judgeHealth('text-healthy', 500, '<html>error</html>').ok, false);
    assert.equal(judgeHealth('json-string-healthy', 200, '"Healthy"').ok, true);
    assert.equal(judgeHealth('json-string-healthy', 200, 'Healthy').ok, false);
    assert.equal(judgeHealth('json-string-healthy', 500, '{"error":{"message":"database unavailable","code":500}}').detail, 'HTTP 500: {"error":{"message":"database unavailable","code":500}}');
    assert.equal(judgeHealth('json-status-ok', 200, '{"status":"OK","timestamp":"2026-01-01","aggregate_metadata_enabled":true}').ok, true);
    assert.equal(judgeHealth('json-status-ok', 200, '{"status":"DOWN"}').ok, false);
    assert.equal(judgeHealth('revproxy', 200, '{"message":"Feelin good!","csrf":"x"}').ok, true);
    assert.equal(judgeHealth('revproxy', 200, '{"message":"nope"}').ok, false);
    assert.equal(judgeHealth('guppy', 200, '{"statusCode":200,"warnings":null,"indices":{"a":{}}}').detail, '1 indices');
    assert.equal(judgeHealth('guppy', 200, '{"statusCode":500}').ok, false);
    assert.equal(judgeHealth('http-200', 204, '').ok, true);
  });
});

describe('service status', () => {
  const w = (over: Partial<WorkloadFacts> = {}): WorkloadFacts => ({
    name: 'fence', deployment: 'fence-deployment', desired: 3, ready: 3, updated: 3, image: 'quay.io/cdis/fence:2026.07', restartedAt: null, restartCount: 0, reason: '', rollout: '', ...over,
  });
  const ok = { url: 'http://fence-service/_status', httpStatus: 200, latencyMs: 3, checkedAtMs: 1, ok: true, detail: 'Healthy' };

  it('ready 0 is down, ready < desired is degraded, a failing check is down, no check yet is unknown', () => {
    assert.equal(serviceState(w({ ready: 0, reason: 'CrashLoopBackOff' }), ok).statusReason, 'CrashLoopBackOff');
    assert.equal(serviceState(w({ ready: 0 }), ok).status, 'down');
    assert.equal(serviceState(w({ ready: 2 }), ok).status, 'degraded');
    assert.equal(serviceState(w(), { ...ok, ok: false, detail: 'HTTP 500' }).status, 'down');
    assert.equal(serviceState(w(), null).status, 'unknown');
    assert.equal(serviceState(w(), ok).status, 'healthy');
    assert.equal(serviceState(w(), ok).version, '2026.07');
  });
});
