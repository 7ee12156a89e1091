// Helpers for the deployment tests: an SSE reader for /api/v1/events, waiting
// for a deployment to finish, and the simulated commons' state with images.
import { createParser } from 'eventsource-parser';
import type { DeploymentView } from '../../contracts/api';
import { type DeploymentState, FINAL_DEPLOYMENT_STATES } from '../../contracts/states';
import { type TestFleet, eventually } from '../support/fleet';

export interface SseEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

/** Reads /api/v1/events into `events` until closed. */
export async function subscribe(fleet: TestFleet, token: string, query = ''): Promise<{ events: SseEvent[]; close: () => void }> {
  const ac = new AbortController();
  const res = await fetch(`${fleet.control.url}/api/v1/events${query}`, { headers: { Authorization: `Bearer ${token}` }, signal: ac.signal });
  if (res.status !== 200 || !res.body) throw new Error(`events: HTTP ${res.status}`);
  const events: SseEvent[] = [];
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const parser = createParser({ onEvent: (e) => events.push({ id: Number(e.id), type: e.event ?? 'message', data: JSON.parse(e.data) as Record<string, unknown> }) });
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // aborted
    }
  })();
  return { events, close: () => ac.abort() };
}

export function waitDeployment(fleet: TestFleet, token: string, id: string, states: readonly DeploymentState[] = FINAL_DEPLOYMENT_STATES, timeoutMs = 60_000): Promise<DeploymentView> {
  return eventually(
    async () => {
      const r = await fleet.api<DeploymentView>(token, 'GET', `/api/v1/deployments/${id}`);
      return states.includes(r.body.state) && r.body;
    },
    { what: `deployment ${id} to reach ${states.join('|')}`, timeoutMs },
  );
}

export interface SimServices {
  release: string;
  services: Record<string, { image: string; desired: number; ready: number; rollouts: number; scales: number }>;
}

export async function simState(fleet: TestFleet, hostname: string): Promise<SimServices> {
  const r = await fetch(`http://127.0.0.1:${fleet.agent(hostname).healthPort}/__sim/state`);
  return (await r.json()) as SimServices;
}
