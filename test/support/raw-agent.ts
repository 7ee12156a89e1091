// A hand-driven agent on the real gateway: enrolls, says hello with the
// capabilities a test chooses, reports services, and answers (or not) what
// the control service asks as the test says. For old, broken and hostile agents.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { gatewayClient } from '../../agent/protocol/client';
import { enroll } from '../../agent/protocol/identity';
import type { ControlMessage } from '../../contracts/agent-messages';
import type { AgentMessage, ControlMessage as ControlMessageWire } from '../../contracts/pb/agent';
import { type Control, mintEnrollmentToken } from '../../scripts/demo/processes';
import { commonsIdFor } from '../../backend/gateway/slug';

export interface RawAgent {
  commonsId: string;
  send(m: Omit<AgentMessage, 'seq'>): void;
  /** Called with every message the control service sends. */
  onMessage(fn: (m: ControlMessage) => void): void;
  /** The stream broke (the gateway ended it). */
  closed: Promise<string>;
  close(): void;
}

export function serviceMsg(name: string) {
  return { name, status: 'healthy', deployment: `${name}-deployment`, desired_replicas: 1, ready_replicas: 1, updated_replicas: 1, image: `quay.io/cdis/${name}:2026.07`, version: '2026.07', reason: '', restarted_at: '', restart_count: 0, rollout: '', gitops_owner: '' };
}

export async function startRawAgent(control: Control, hostname: string, capabilities: string[], services = ['fence']): Promise<RawAgent> {
  const identity = await enroll({
    dataDir: mkdtempSync(join(tmpdir(), 'dcoc-raw-agent-')),
    enrollAddr: control.enrollAddr,
    caPem: readFileSync(control.caFile, 'utf8'),
    token: await mintEnrollmentToken(control),
    version: 'raw-test',
    hostname,
  });
  const call: grpc.ClientDuplexStream<AgentMessage, ControlMessageWire> = gatewayClient(control.gatewayAddr, identity).connect();
  const fns: ((m: ControlMessage) => void)[] = [];
  call.on('data', (m: ControlMessage) => fns.forEach((fn) => fn(m)));
  const closed = new Promise<string>((resolve) => {
    call.on('error', (e: grpc.ServiceError) => resolve(e.details || e.message));
    call.on('end', () => resolve('ended'));
  });
  const send = (m: Omit<AgentMessage, 'seq'>) => void call.write({ seq: 0, ...m });
  const commons = { hostname, environment: hostname.split('.')[0], name: hostname, namespace: 'default' };
  send({ hello: { agent_id: identity.agentId, agent_version: 'raw-test', capabilities, commons, finished: [] } });
  send({ snapshot: { commons, release: '2026.07', services: services.map(serviceMsg), config: null, taken_at_ms: Date.now() } });
  return { commonsId: commonsIdFor(hostname), send, onMessage: (fn) => void fns.push(fn), closed, close: () => call.cancel() };
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Reads a Server-Sent Events response; each event to `onEvent` until the signal aborts. Resolves with the status once headers arrive. */
export async function openSse(url: string, token: string, signal: AbortSignal, onEvent: (e: SseEvent) => void): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal });
  if (!/^text\/event-stream/.test(res.headers.get('content-type') ?? '')) return { status: res.status, body: await res.json().catch(() => null) };
  void (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let at: number;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) onEvent({ event, data });
        }
      }
    } catch {
      // aborted
    }
  })();
  return { status: res.status, body: null };
}
