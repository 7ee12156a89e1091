// The fleet's once-a-second sweep turns a silent agent's commons unknown and
// counts a connected agent again. It used to recompute every commons' status
// from its services each second: with 10,000 commons that held the event loop
// for 60-190 ms at a time (CPU profile of `npm run bench -- --agents 10000`).
// Now it recomputes only commons whose agent went online or offline; service
// changes recompute as they arrive.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus } from '../../backend/events/bus';
import { Fleet } from '../../backend/fleet/fleet';
import type { ServiceView } from '../../contracts/api';

const SILENCE_MS = 60;

function service(name: string, status: ServiceView['status']): ServiceView {
  return { name, status, deployment: `${name}-deployment`, desiredReplicas: 1, readyReplicas: 1, updatedReplicas: 1, image: `quay.io/cdis/${name}:2026.07`, version: '2026.07', reason: '', restartedAt: null, restartCount: 0, rollout: null, gitopsOwner: null, health: null } as ServiceView;
}

/** A Map that counts reads of its values: what computing a commons' status reads. */
class CountingMap<K, V> extends Map<K, V> {
  reads = 0;
  override values(): MapIterator<V> {
    this.reads++;
    return super.values();
  }
}

function fleetWith(n: number, silenceMs = SILENCE_MS) {
  const events = new EventBus();
  const statuses: string[] = [];
  events.subscribe((e) => {
    if (e.type === 'commons.status') statuses.push(`${e.commons}:${e.status}`);
  });
  const fleet = new Fleet(events, silenceMs);
  for (let i = 0; i < n; i++) {
    const id = `c${i}`;
    fleet.ensure({ id, name: id, hostname: `${id}.example.org`, environment: 'test', namespace: 'default', agent_id: `a${i}`, release: '2026.07', config_revision: 0, config_json: '{}', created_at: '', updated_at: '' });
    fleet.agentConnected(id, `a${i}`, '1.0.0');
    fleet.applyServices(id, [service('fence', 'healthy'), service('indexd', 'healthy')], { replace: true });
  }
  return { fleet, statuses };
}

describe('the fleet sweep', () => {
  it('turns a silent agent unknown, and a connected one back, as before', async () => {
    const { fleet, statuses } = fleetWith(1);
    assert.equal(fleet.get('c0')!.status, 'healthy');
    await new Promise((r) => setTimeout(r, SILENCE_MS + 30));
    fleet.sweep();
    assert.equal(fleet.get('c0')!.status, 'unknown');
    // A reconnect changes no service: the sweep alone brings the status back.
    fleet.agentConnected('c0', 'a0', '1.0.0');
    fleet.sweep();
    assert.equal(fleet.get('c0')!.status, 'healthy');
    assert.deepEqual(statuses, ['c0:healthy', 'c0:unknown', 'c0:healthy']);
  });

  it('does not recompute commons whose agent stayed online', () => {
    // Agents silent only after a minute: on a loaded machine, making 1,000 commons takes longer than SILENCE_MS.
    const { fleet, statuses } = fleetWith(1000, 60_000);
    const maps = Array.from({ length: 1000 }, (_, i) => {
      const c = fleet.get(`c${i}`)!;
      const m = new CountingMap(c.services);
      c.services = m;
      return m;
    });
    for (let k = 0; k < 5; k++) fleet.sweep();
    assert.equal(
      maps.reduce((n, m) => n + m.reads, 0),
      0,
      'no commons status was recomputed',
    );
    // A service change still recomputes, at once.
    fleet.applyServices('c7', [service('fence', 'down')], { replace: false });
    assert.equal(fleet.get('c7')!.status, 'down');
    assert.equal(statuses.at(-1), 'c7:down');
  });
});
