// A commons is down when a service nobody can do without is down: revproxy
// (the only way in) or fence (every login and token). Anything else down
// degrades it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceStatus, ServiceView } from '../../contracts/api';
import { commonsStatus } from '../../backend/fleet/status';

const svc = (name: string, status: ServiceStatus) => ({ name, status }) as ServiceView;
const fleetWith = (down: string, status: ServiceStatus = 'down') =>
  ['revproxy', 'fence', 'arborist', 'indexd', 'sheepdog', 'portal'].map((n) => svc(n, n === down ? status : 'healthy'));

describe('commons status', () => {
  it('is down when fence is down: nobody can log in', () => assert.equal(commonsStatus(fleetWith('fence'), true), 'down'));
  it('is down when revproxy is down: nothing is reachable', () => assert.equal(commonsStatus(fleetWith('revproxy'), true), 'down'));
  it('is degraded when another service is down', () => assert.equal(commonsStatus(fleetWith('indexd'), true), 'degraded'));
  it('is degraded when fence is only degraded', () => assert.equal(commonsStatus(fleetWith('fence', 'degraded'), true), 'degraded'));
  it('is unknown without an agent', () => assert.equal(commonsStatus(fleetWith('fence'), false), 'unknown'));
});
