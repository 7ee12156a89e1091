// The rollout engine over a real store (SQLite and PostgreSQL) with a clock
// it is given, deployments it makes through the store's createDeployment (as
// DeploymentService does, with the rollout's link) and a gate it is told the
// answer of: the soak clock, the grace before a failing gate stops the
// rollout, a deploy that cannot be made, a second engine (a restart) that
// finds a commons deploying and does not deploy it again, and a replica that
// does not lead doing nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DeploymentRequest, DeploymentState, DeploymentView } from '../../contracts/api';
import { RolloutEngine } from '../../backend/rollouts/engine';
import type { SoakGate } from '../../backend/rollouts/gates';
import { RolloutService } from '../../backend/rollouts/service';
import { Conflict } from '../../backend/domain/errors';
import { EventBus } from '../../backend/events/bus';
import type { SqlStore } from '../../backend/store/sql-store';
import type { DeploymentLink } from '../../backend/store/store';
import type { ActingPrincipal } from '../../backend/auth/principal';
import { createLogger } from '../../lib/logger';
import { storeEngines } from '../support/store-engines';

const at = '2026-12-04T00:00:00.000Z';
const log = createLogger('test', 'silent');
const OPERATOR: ActingPrincipal = { actor: 'token:ops', kind: 'token', role: 'operator' };

/** Deployments as DeploymentService records them (one transaction with the link); their state is the test's to set. */
class FakeDeployments {
  readonly states = new Map<string, DeploymentState>();
  readonly applied: string[] = [];
  refuse = new Set<string>();
  constructor(private readonly store: SqlStore) {}

  async apply(req: DeploymentRequest, _p: ActingPrincipal, link?: DeploymentLink): Promise<DeploymentView> {
    const commons = req.commons!;
    if (this.refuse.has(commons)) throw new Conflict('Deployment conflict', `deployment x of ${commons} has not finished; wait for it`);
    const id = randomUUID();
    const base = (await this.store.currentRevision(commons))?.revision ?? null;
    const made = await this.store.createDeployment({
      commons: { id: commons, name: commons, hostname: `${commons}.example.org`, environment: commons, namespace: '', agent_id: null, release: '', config_revision: 0, config_json: '{}', created_at: at, updated_at: at },
      revision: { commons_id: commons, values_json: '{}', release: req.release, template: 't', profile: 'p', overrides_json: '{}', kind: 'deploy', rollback_of: null, base_revision: base, base_source: 'none', diff_json: '[]', diff_text: '', author: 'test', reason: 'r', created_at: at, deployment_id: id },
      deployment: { id, commons_id: commons, kind: 'deploy', phase: 'commanded', message: '', command_id: `cmd-${id}`, gitops_state: 'disabled', gitops_path: null, gitops_commit: null, applied_by: 'agent', restart_after_json: '[]', plan_services_json: '[]', actor: 'test', actor_kind: 'token', role: 'operator', author_name: 't', author_email: 't@x', reason: 'r', created_at: at, updated_at: at },
      audit: { at, actor: 'test', actor_kind: 'token', role: 'operator', action: 'deployment.apply', commons_id: commons, service: null, detail_json: '{}', outcome: 'accepted', command_id: null },
      expectBase: base,
      link,
    });
    this.applied.push(commons);
    return this.viewOf(id, made.revision.revision, commons);
  }

  async rollback(): Promise<DeploymentView> {
    throw new Error('not in these tests');
  }

  async view(id: string): Promise<DeploymentView> {
    const d = await this.store.getDeployment(id);
    if (!d) throw new Error(`no deployment ${id}`);
    return this.viewOf(id, d.revision, d.commons_id);
  }

  private viewOf(id: string, revision: number, commons: string): DeploymentView {
    const state = this.states.get(id) ?? 'running';
    return { id, commons, revision, kind: 'deploy', rollbackOf: null, release: '2026.07', state, message: state === 'failed' ? 'fence: new pods are not becoming ready' : state, percent: 50, actor: 'test', reason: 'r', createdAt: at, updatedAt: at, commandId: `cmd-${id}`, gitops: { state: 'disabled', path: null, commit: null }, services: [] };
  }
}

for (const engine of await storeEngines('rollout-engine')) {
  describe(`the rollout engine (${engine.name})`, { skip: engine.skip }, () => {
    let store: SqlStore;
    let deployments: FakeDeployments;
    let now = Date.parse(at);
    const gate = new Map<string, string | undefined>(); // commons → why it fails the gate (undefined: passes)
    const soak = { checksAlerts: false, check: async (c: string) => (gate.get(c) ? { ok: false as const, reason: gate.get(c)! } : { ok: true as const }) } as unknown as SoakGate;
    let leads = true;
    let service: RolloutService;
    const engineFor = () => new RolloutEngine({ store: store.rollouts, deployments, service, soak, log, leads: () => leads, tickMs: 1000, graceMs: 3000, now: () => now });
    const targets = async (id: string) => Object.fromEntries((await store.rollouts.targets(id)).map((t) => [t.commons_id, t.state]));
    const finish = async (id: string, commons: string, state: DeploymentState) => {
      const t = (await store.rollouts.targets(id)).find((x) => x.commons_id === commons)!;
      deployments.states.set(t.deployment_id!, state);
      // Its deploy command, finished: the commons is open for the next deployment.
      await store.createCommand(
        { id: `cmd-${t.deployment_id}`, kind: 'deploy', commons_id: commons, service: null, target_json: '{}', state: state as 'succeeded' | 'failed', message: '', percent: 100, actor: 'test', created_at: at, updated_at: at, deadline: at, attempts: 1, result_json: null },
        { at, actor: 'test', actor_kind: 'token', role: 'operator', action: 'deployment.rollout', commons_id: commons, service: null, detail_json: '{}', outcome: 'accepted', command_id: null },
      );
    };

    before(async () => {
      store = await engine.open();
      deployments = new FakeDeployments(store);
      service = new RolloutService({ store: store.rollouts, deployments: { apply: deployments.apply.bind(deployments), view: deployments.view.bind(deployments), rollback: deployments.rollback.bind(deployments), plan: async (req: DeploymentRequest) => ({ commons: { id: req.commons, exists: true }, base: { revision: null }, release: { version: req.release }, diff: { text: 'x', changes: [] }, services: [], warnings: [] }) } as never, groups: null, fleet: { get: () => undefined }, events: new EventBus(), gate: null, alertGate: false, log });
    });
    after(() => engine.cleanup());

    it('soaks each commons for soakSeconds, restarts the soak clock on a blip, and stops on a gate failing past the grace', async () => {
      const r = await service.start({ target: { commons: ['a', 'b', 'c'] }, change: { release: '2026.07' }, waves: { waves: 1, maxInFlight: 2, soakSeconds: 10 }, reason: 'test', mode: 'apply' }, OPERATOR);
      const e = engineFor();
      await e.tick();
      assert.deepEqual(await targets(r.id), { a: 'deploying', b: 'pending', c: 'pending' }, 'the canary alone');
      await finish(r.id, 'a', 'succeeded');
      await e.tick();
      assert.equal((await targets(r.id)).a, 'soaking');
      now += 9_000;
      gate.set('a', 'a is degraded: fence degraded');
      await e.tick(); // the blip starts: the soak clock is reset
      now += 2_000;
      gate.delete('a');
      await e.tick(); // healthy again: soaking from now
      now += 9_000;
      await e.tick();
      assert.equal((await targets(r.id)).a, 'soaking', '9 s healthy since the blip is not 10');
      now += 1_000;
      await e.tick();
      await e.tick();
      assert.deepEqual(await targets(r.id), { a: 'done', b: 'deploying', c: 'deploying' }, 'wave 2, two at once');
      await finish(r.id, 'b', 'succeeded');
      await finish(r.id, 'c', 'succeeded');
      await e.tick();
      gate.set('c', 'alert firing for c: DCOCServiceDown');
      await e.tick();
      now += 2_999;
      await e.tick();
      assert.equal((await store.rollouts.get(r.id))?.state, 'running', 'within the grace');
      now += 1;
      await e.tick();
      const stopped = await store.rollouts.get(r.id);
      assert.equal(stopped?.state, 'paused-on-failure');
      assert.deepEqual(JSON.parse(stopped!.failure_json!), { commons: 'c', reason: 'alert firing for c: DCOCServiceDown' });
      assert.equal((await targets(r.id)).c, 'failed');

      // Resume with the alert resolved: c soaks again without a second deployment and the rollout completes.
      gate.delete('c');
      await service.act(r.id, 'resume', OPERATOR);
      await e.tick(); // the soak starts over, on the engine's clock
      now += 9_999;
      await e.tick();
      assert.equal((await store.rollouts.get(r.id))?.state, 'running');
      assert.equal((await targets(r.id)).c, 'soaking');
      now += 1;
      await e.tick();
      assert.equal((await store.rollouts.get(r.id))?.state, 'completed');
      assert.deepEqual(deployments.applied, ['a', 'b', 'c']);
    });

    it('a restarted engine finds a commons deploying and does not deploy it again; a replica that does not lead does nothing', async () => {
      deployments.applied.length = 0;
      const r = await service.start({ target: { commons: ['d', 'e'] }, change: { release: '2026.07' }, waves: { maxInFlight: 1, soakSeconds: 0 }, reason: 'test', mode: 'apply' }, OPERATOR);
      leads = false;
      await engineFor().tick();
      assert.deepEqual(await targets(r.id), { d: 'pending', e: 'pending' });
      leads = true;
      await engineFor().tick();
      await engineFor().tick(); // "after a restart": a new engine, the same store
      assert.deepEqual(deployments.applied, ['d']);
      await finish(r.id, 'd', 'succeeded');
      const e = engineFor();
      for (let i = 0; i < 4; i++) await e.tick();
      await finish(r.id, 'e', 'succeeded');
      for (let i = 0; i < 4; i++) await e.tick();
      assert.equal((await store.rollouts.get(r.id))?.state, 'completed');
      assert.deepEqual(deployments.applied, ['d', 'e']);
    });

    it('stops on a commons whose deployment fails or cannot be made, and deploys it again on resume', async () => {
      deployments.applied.length = 0;
      const r = await service.start({ target: { commons: ['f', 'g'] }, change: { release: '2026.07' }, waves: { maxInFlight: 1, soakSeconds: 0 }, reason: 'test', mode: 'apply' }, OPERATOR);
      deployments.refuse.add('f');
      const e = engineFor();
      await e.tick();
      let row = await store.rollouts.get(r.id);
      assert.equal(row?.state, 'paused-on-failure');
      assert.match(JSON.parse(row!.failure_json!).reason, /could not deploy: deployment x of f has not finished/);
      deployments.refuse.delete('f');
      await service.act(r.id, 'resume', OPERATOR);
      await e.tick();
      await finish(r.id, 'f', 'failed');
      await e.tick();
      row = await store.rollouts.get(r.id);
      assert.equal(row?.state, 'paused-on-failure');
      assert.match(JSON.parse(row!.failure_json!).reason, /deployment failed: fence: new pods are not becoming ready/);
      assert.equal((await targets(r.id)).g, 'pending', 'nothing more starts');
      await service.act(r.id, 'resume', OPERATOR);
      await e.tick();
      assert.deepEqual(deployments.applied, ['f', 'f'], 'a failed deployment is made again on resume');
      assert.equal((await store.rollouts.targets(r.id)).find((t) => t.commons_id === 'f')?.attempts, 2);
    });
  });
}
