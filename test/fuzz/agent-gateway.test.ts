// Property-based fuzzing of the agent gateway: an enrolled agent
// (mutual TLS, so past the door) opens stream after stream and sends what
// fast-check makes: every AgentMessage kind with hostile values (huge and
// empty strings, negative and overflowing numbers, NaN, unknown states,
// results that are not JSON), random bytes and bit-flipped valid frames. The
// control service must stay up and ready, keep answering reads and /metrics,
// and accept nothing an agent may not cause (commands, tokens, deployments,
// audit of accepted actions). Seed and size: ./settings.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { type AgentIdentity, enroll } from '../../agent/protocol/identity';
import { AgentMessage } from '../../contracts/pb/agent';
import { mintEnrollmentToken } from '../../scripts/demo/processes';
import { TestFleet, eventually } from '../support/fleet';
import { StoreReader, acceptedDifference } from '../support/store-snapshot';
import { AGENT_FUZZ_RUNS, FUZZ_SEED } from './settings';

const HOST = 'fuzzed.example.org';
const ID = 'fuzzed-example-org';
// The generated codec, as the agent encodes. Every scalar is set (proto3 puts
// a zero value on the wire as no field, and the arbitraries make zeros);
// messages may be absent.
const encode = (m: AgentMessage) => Buffer.from(AgentMessage.encode(m).finish());
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const identity = { hostname: HOST, environment: 'fuzzed', name: HOST, namespace: 'fuzzed' };

const str = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 24, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'fence', 'Not A Name', 'x'.repeat(70_000), '\u0000', '../../etc', 'quay.io/cdis/fence:2026.07') },
);
const int32 = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, -1, 2 ** 31 - 1));
const int64 = fc.oneof(fc.integer(), fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER));
// seq is a uint64: a negative one cannot be encoded (bit flips below still make any value).
const uint64 = fc.oneof(fc.nat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER));
const dbl = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e308));
const commandUpdate = (commandIds: string[]) =>
  fc.record(
    {
      command_id: fc.oneof(fc.constantFrom(...commandIds), fc.uuid(), str),
      state: fc.oneof(fc.constantFrom('running', 'succeeded', 'failed', 'expired', 'cancelled', 'queued', 'dispatched'), str),
      message: str,
      percent: int32,
      at_ms: int64,
      result_json: fc.oneof(str, fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v))),
    },
  );
const service = fc.record(
  {
    name: fc.oneof(fc.constantFrom('fence', 'indexd', 'sheepdog'), str),
    status: fc.oneof(fc.constantFrom('healthy', 'degraded', 'down', 'unknown'), str),
    deployment: str,
    desired_replicas: int32,
    ready_replicas: int32,
    updated_replicas: int32,
    image: str,
    version: str,
    reason: str,
    health: maybe(fc.record({ url: str, http_status: int32, latency_ms: dbl, checked_at_ms: int64, ok: fc.boolean(), detail: str })),
    restarted_at: str,
    restart_count: int32,
    rollout: str,
    gitops_owner: fc.oneof(str, fc.constantFrom('argocd:fence', 'argocd:Not A Name')),
  },
);
const config = fc.record({ revision: int64, data: fc.dictionary(str, str, { maxKeys: 5 }), resource_version: str });
const commons = maybe(fc.oneof(fc.constant(identity), fc.record({ hostname: str, environment: str, name: str, namespace: str })));

function messageArbitrary(commandIds: string[]): fc.Arbitrary<Omit<AgentMessage, 'seq'>> {
  return fc.oneof(
    fc.record({ hello: fc.record({ agent_id: str, agent_version: str, capabilities: fc.array(str, { maxLength: 4 }), commons, finished: fc.array(commandUpdate(commandIds), { maxLength: 3 }) }) }),
    fc.record({ heartbeat: fc.record({ sent_at_ms: int64 }) }),
    fc.record({ snapshot: fc.record({ commons, release: str, services: fc.array(service, { maxLength: 8 }), config: maybe(config), taken_at_ms: int64 }) }),
    fc.record({ delta: fc.record({ services: fc.array(service, { maxLength: 8 }), removed_services: fc.array(str, { maxLength: 4 }), config: maybe(config), release: str, taken_at_ms: int64 }) }),
    fc.record({ metrics: fc.record({ samples: fc.array(fc.record({ name: str, labels: fc.dictionary(str, str, { maxKeys: 3 }), value: dbl, timestamp_ms: int64 }), { maxLength: 30 }) }) }),
    fc.record({ command_update: commandUpdate(commandIds) }),
    // Answers to requests nobody made (and malformed ones): dropped at the gateway.
    fc.record({
      log_chunk: fc.record({
        id: fc.oneof(fc.uuid(), str),
        lines: fc.array(fc.record({ pod: fc.oneof(fc.constantFrom('fence-a'), str), container: str, time_ms: int64, text: str }), { maxLength: 20 }),
        pods: fc.array(str, { maxLength: 4 }),
        done: fc.boolean(),
        error: str,
        truncated: fc.boolean(),
      }),
    }),
    fc.record({
      inspect_result: fc.record({
        id: fc.oneof(fc.uuid(), str),
        error: str,
        events: maybe(fc.record({ items: fc.array(fc.record({ type: str, reason: str, message: str, object_kind: str, object_name: str, service: str, count: int32, first_time: str, last_time: str, source: str }), { maxLength: 5 }) })),
        resources: maybe(fc.record({ available: fc.boolean(), detail: str, pods: fc.array(fc.record({ pod: str, service: str, cpu_cores: dbl, memory_bytes: dbl, cpu_request_cores: dbl, cpu_limit_cores: dbl, memory_request_bytes: dbl, memory_limit_bytes: dbl }), { maxLength: 5 }) })),
      }),
    }),
  );
}

/** A frame as the agent would send it, random bytes, or a valid frame with bytes flipped. */
function frameArbitrary(commandIds: string[]): fc.Arbitrary<Buffer> {
  const valid = fc.tuple(uint64, messageArbitrary(commandIds)).map(([seq, m]) => encode({ seq, ...m }));
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 })).map(([b, flips]) => {
        const out = Buffer.from(b);
        for (const [i, x] of flips) if (out.length) out[i % out.length] ^= x;
        return out;
      }),
    },
  );
}

describe('fuzzing the agent gateway', () => {
  let fleet: TestFleet;
  let agent: AgentIdentity;
  let store: StoreReader;
  const commandIds: string[] = [];

  /** One stream: hello, then `frames`, then a heartbeat; resolves when the server ends it or 3 s pass. */
  function stream(frames: Buffer[]): Promise<string> {
    const client = new grpc.Client(fleet.control.gatewayAddr, grpc.credentials.createSsl(Buffer.from(agent.caPem), Buffer.from(agent.keyPem), Buffer.from(agent.certPem)));
    const call = client.makeBidiStreamRequest('/dcoc.agent.v1.AgentGateway/Connect', (b: Buffer) => b, (b: Buffer) => b);
    return new Promise<string>((resolve) => {
      const done = (how: string) => {
        clearTimeout(timer);
        call.cancel();
        client.close();
        resolve(how);
      };
      const timer = setTimeout(() => done('open'), 3000);
      call.on('data', () => undefined);
      call.on('error', (e: grpc.ServiceError) => done(`${grpc.status[e.code] ?? e.code}${process.env.FUZZ_DETAILS ? `: ${e.details}` : ''}`));
      call.on('end', () => done('ended'));
      call.write(encode({ seq: 1, hello: { agent_id: agent.agentId, agent_version: 'fuzz', capabilities: ['executor:restart'], commons: identity, finished: [] } }));
      for (const f of frames) call.write(f);
      call.write(encode({ seq: 2, heartbeat: { sent_at_ms: Date.now() } }));
      call.end();
    });
  }

  before(async () => {
    fleet = await TestFleet.start({ commons: [] });
    agent = await enroll({
      dataDir: mkdtempSync(join(tmpdir(), 'dcoc-fuzzed-')),
      enrollAddr: fleet.control.enrollAddr,
      caPem: readFileSync(fleet.control.caFile, 'utf8'),
      token: await mintEnrollmentToken(fleet.control),
      version: 'fuzz',
      hostname: HOST,
    });
    const fence = { name: 'fence', status: 'healthy', deployment: 'fence-deployment', desired_replicas: 1, ready_replicas: 1, updated_replicas: 1, image: 'quay.io/cdis/fence:2026.07', version: '2026.07', reason: '', restarted_at: '', restart_count: 0, rollout: '', gitops_owner: '' };
    await stream([encode({ seq: 2, snapshot: { commons: identity, release: '2026.07', services: [fence], config: { revision: 1, data: { hostname: HOST, environment: 'fuzzed' }, resource_version: '' }, taken_at_ms: Date.now() } })]);
    await eventually(async () => (await fleet.admin('GET', `/api/v1/commons/${ID}`)).status === 200, { what: 'the fuzzed commons to register' });
    // A real command, so command updates can name one.
    const operator = await fleet.tokenFor('operator');
    const r = await fleet.api<{ command: { id: string } }>(operator, 'POST', `/api/v1/commons/${ID}/services/fence/restart`);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    commandIds.push(r.body.command.id);
    store = await StoreReader.open(fleet.control.opts);
  });
  after(async () => {
    await store?.close();
    await fleet.stop();
  });

  it(`${AGENT_FUZZ_RUNS} streams of hostile messages (seed ${FUZZ_SEED}): the service stays up, ready and correct`, async (t) => {
    const before = (await store.snapshot());
    const endings = new Map<string, number>();
    let frames = 0;
    const t0 = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(frameArbitrary(commandIds), { minLength: 1, maxLength: 8 }), async (burst) => {
        frames += burst.length;
        const how = await stream(burst);
        endings.set(how, (endings.get(how) ?? 0) + 1);
        assert.equal(fleet.control.child.exitCode, null, 'the control service is still running');
      }),
      { numRuns: AGENT_FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
    t.diagnostic(`fuzz gateway: ${AGENT_FUZZ_RUNS} streams, ${frames} frames in ${((Date.now() - t0) / 1000).toFixed(1)} s; streams ended ${JSON.stringify(Object.fromEntries(endings))}`);

    assert.equal((await fetch(`${fleet.control.url}/readyz`)).status, 200);
    for (const path of ['/api/v1/commons', `/api/v1/commons/${ID}`, '/api/v1/commands', '/api/v1/agents', `/api/v1/commons/${ID}/config/revisions`, '/api/v1/audit']) {
      assert.equal((await fleet.admin('GET', path)).status, 200, path);
    }
    const metrics = await fetch(`${fleet.control.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.ok((await metrics.text()).length < 2 * 1024 * 1024, '/metrics stays small');
    // An agent moves its commons' state and its commands' states, nothing else.
    const changed = acceptedDifference(before, (await store.snapshot()));
    assert.deepEqual(changed, {}, 'an agent created or removed nothing it may not');
  });
});
