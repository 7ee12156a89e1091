// The agent's answer to an InspectRequest (agent/core/inspect.ts) from a
// platform's Inspector: events newest first and capped, resources with unset
// requests as 0, and an error (never a throw) when the platform cannot tell.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENTS_MAX, inspect, inspectCapabilities } from '../../agent/core/inspect';
import type { Inspector, KubeEventFacts } from '../../agent/core/types';

const event = (i: number, service = 'fence'): KubeEventFacts => ({
  type: i % 2 ? 'Warning' : 'Normal',
  reason: `R${i}`,
  message: 'm',
  objectKind: 'Pod',
  objectName: `${service}-${i}`,
  service,
  count: 1,
  firstTime: null,
  lastTime: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  source: 'kubelet',
});

describe('agent inspect', () => {
  it('advertises one capability per Inspector part', () => {
    assert.deepEqual(inspectCapabilities(undefined), []);
    assert.deepEqual(inspectCapabilities({ logs: { streamLogs: async () => undefined } }), ['inspect:logs']);
    assert.deepEqual(inspectCapabilities({ events: async () => [], resources: async () => ({ available: false, detail: '' }) }), ['inspect:events', 'inspect:resources']);
  });

  it('answers events newest first, only the service asked, at most EVENTS_MAX', async () => {
    const all = [...Array.from({ length: EVENTS_MAX + 50 }, (_, i) => event(i)), event(5000, 'indexd')];
    const inspector: Inspector = { events: async () => all };
    const r = await inspect(inspector, { id: 'x', kind: 'events', service: 'fence' });
    assert.equal(r.error, '');
    assert.equal(r.events!.items.length, EVENTS_MAX);
    assert.equal(r.events!.items[0].reason, `R${EVENTS_MAX + 49}`);
    assert.ok(r.events!.items.every((e) => e.service === 'fence'));
  });

  it('sends 0 for a request or limit not set, and says why resources are unavailable', async () => {
    const pod = { pod: 'fence-a', service: 'fence', cpuCores: 0.1, memoryBytes: 10, cpuRequestCores: NaN, cpuLimitCores: -1, memoryRequestBytes: 5, memoryLimitBytes: 0 };
    const ok = await inspect({ resources: async () => ({ available: true, pods: [pod] }) }, { id: 'x', kind: 'resources', service: '' });
    assert.deepEqual(ok.resources, { available: true, detail: '', pods: [{ pod: 'fence-a', service: 'fence', cpu_cores: 0.1, memory_bytes: 10, cpu_request_cores: 0, cpu_limit_cores: 0, memory_request_bytes: 5, memory_limit_bytes: 0 }] });
    const none = await inspect({ resources: async () => ({ available: false, detail: 'no metrics-server' }) }, { id: 'x', kind: 'resources', service: '' });
    assert.deepEqual(none.resources, { available: false, detail: 'no metrics-server', pods: [] });
  });

  it('answers an error when the part is missing, the kind unknown, or the platform fails', async () => {
    assert.match((await inspect({}, { id: 'x', kind: 'events', service: '' })).error, /inspect:events.*upgrade/);
    assert.match((await inspect(undefined, { id: 'x', kind: 'resources', service: '' })).error, /inspect:resources/);
    assert.match((await inspect({}, { id: 'x', kind: 'secrets', service: '' })).error, /unknown inspect kind/);
    const failing = await inspect({ events: async () => Promise.reject(new Error('events is forbidden')) }, { id: 'x', kind: 'events', service: '' });
    assert.match(failing.error, /events is forbidden/);
  });
});
