// contracts/states.ts: the command, deployment-phase, GitOps and config
// revision state machines as transition tables, and what follows from them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMAND_STATES, FINAL_STATES, isFinal } from '../../contracts/api';
import {
  AGENT_REPORTED_STATES,
  COMMAND,
  CONFIG_REVISION,
  DEPLOYMENT_PHASE,
  DEPLOYMENT_STATES,
  FINAL_DEPLOYMENT_STATES,
  GITOPS,
  IllegalTransition,
  type StateMachine,
  isFinalDeployment,
  isNotStarted,
} from '../../contracts/states';

const MACHINES: StateMachine<string>[] = [COMMAND, DEPLOYMENT_PHASE, GITOPS, CONFIG_REVISION];

function reachable(m: StateMachine<string>): Set<string> {
  const seen = new Set<string>(m.initial);
  const todo = [...m.initial];
  while (todo.length) {
    for (const next of m.transitions[todo.pop()!]) {
      if (seen.has(next)) continue;
      seen.add(next);
      todo.push(next);
    }
  }
  return seen;
}

for (const m of MACHINES) {
  describe(`${m.name} state machine`, () => {
    it('reaches every state from a starting state', () => {
      assert.deepEqual([...reachable(m)].sort(), [...m.states].sort());
    });

    it('lets nothing leave a final state, and every open state reach a final one', () => {
      assert.ok(m.final.length > 0);
      for (const s of m.final) assert.deepEqual(m.transitions[s], [], s);
      for (const s of m.open) {
        const sub = { ...m, initial: [s] };
        assert.ok([...reachable(sub)].some((r) => m.isFinal(r)), `${s} cannot end`);
      }
      assert.deepEqual([...m.final, ...m.open].sort(), [...m.states].sort());
    });

    it('refuses a move the table does not list, and allows the ones it does', () => {
      for (const from of m.states) {
        for (const to of m.states) {
          if (m.transitions[from].includes(to)) assert.equal(m.move(from, to), to);
          else assert.throws(() => m.move(from, to), (e: unknown) => e instanceof IllegalTransition && e.from === from && e.to === to && e.machine === m.name);
        }
      }
    });

    it('knows its states and nothing else', () => {
      for (const s of m.states) assert.equal(m.isState(s), true);
      for (const v of ['', 'bogus', 'QUEUED', 42, null, undefined, 'constructor', '__proto__']) assert.equal(m.isState(v), false, String(v));
    });
  });
}

describe('command states', () => {
  it('ends in succeeded, failed, expired or cancelled, and nothing moves a command back', () => {
    assert.deepEqual([...COMMAND.final].sort(), ['cancelled', 'expired', 'failed', 'succeeded']);
    for (const s of COMMAND.states) assert.equal(COMMAND.can(s, 'queued'), false, `${s} → queued`);
    assert.equal(COMMAND.can('running', 'dispatched'), false);
  });

  it('takes the moves the real flows make', () => {
    // an agent's progress repeats running; its report may cross the dispatch write; cancel and the deadline end any open command
    for (const [from, to] of [['queued', 'dispatched'], ['running', 'running'], ['queued', 'running'], ['queued', 'succeeded'], ['dispatched', 'failed']] as const) {
      assert.equal(COMMAND.can(from, to), true, `${from} → ${to}`);
    }
    for (const from of COMMAND.open) for (const to of ['cancelled', 'expired'] as const) assert.equal(COMMAND.can(from, to), true, `${from} → ${to}`);
    for (const to of AGENT_REPORTED_STATES) assert.ok(COMMAND.sourcesOf(to).length > 0);
  });

  it('counts as not started exactly the open states an agent has not reported on', () => {
    assert.deepEqual(COMMAND.states.filter(isNotStarted), COMMAND.open.filter((s) => !AGENT_REPORTED_STATES.includes(s)));
  });

  it('is the one list the API contract exports', () => {
    assert.deepEqual(COMMAND_STATES, ['queued', 'dispatched', 'running', 'succeeded', 'failed', 'expired', 'cancelled']);
    assert.deepEqual(FINAL_STATES, COMMAND.final);
    for (const s of COMMAND.states) assert.equal(isFinal(s), COMMAND.final.includes(s as never));
  });
});

describe('deployment states', () => {
  it('are final exactly when the command is, and include every state a deployment shows', () => {
    assert.deepEqual([...FINAL_DEPLOYMENT_STATES].sort(), [...COMMAND.final].sort());
    assert.deepEqual([...DEPLOYMENT_STATES].sort(), ['cancelled', 'committing', 'expired', 'failed', 'queued', 'running', 'succeeded', 'waiting-for-agent']);
    for (const s of DEPLOYMENT_STATES) assert.equal(isFinalDeployment(s), COMMAND.isState(s) && COMMAND.isFinal(s), s);
  });

  it('commits to GitOps only from pending, and a phase leaves committing once', () => {
    assert.deepEqual(GITOPS.sourcesOf('pushed'), ['pending']);
    assert.deepEqual(DEPLOYMENT_PHASE.open, ['committing']);
    assert.throws(() => GITOPS.move('disabled', 'pushed'), IllegalTransition);
    assert.throws(() => DEPLOYMENT_PHASE.move('failed', 'commanded'), IllegalTransition);
  });
});
