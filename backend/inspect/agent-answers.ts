// What an agent answers to a log request or an inspection is input like
// anything else it sends: bounded here, at the gateway, before anyone reads
// it. A line with an impossible pod name or time is dropped; text is cut;
// a chunk carries at most CHUNK_LINES_MAX lines; lists are capped.
import type { InspectResultMsg, KubeEventMsg, LogChunkMsg, LogLineMsg, PodResourcesMsg } from '../../contracts/agent-messages';

/** The agent sends at most 1000 lines a chunk (agent/core/log-relay.ts); anything above this is a broken or hostile agent. */
export const CHUNK_LINES_MAX = 2000;
/** The agent cuts lines at 16 KiB and marks them; a little room for the mark. */
export const LINE_TEXT_MAX = 16 * 1024 + 64;
const PODS_MAX = 500;
const EVENTS_MAX = 1000;
const RESOURCE_PODS_MAX = 5000;
const ERROR_MAX = 2000;
/** Pod (DNS subdomain) and container (DNS label) names as Kubernetes allows them. */
const POD = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const CONTAINER = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SERVICE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Times from 2000 to a day ahead of this clock (a skewed node); 0 is "not known". */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;

const text = (v: unknown, max: number): string => (typeof v === 'string' ? (v.length > max ? `${v.slice(0, max)}…` : v) : '');
const saneTime = (ms: unknown): number | null => {
  const n = Number(ms);
  if (n === 0) return 0;
  return Number.isSafeInteger(n) && n >= EARLIEST_MS && n <= Date.now() + DAY_MS ? n : null;
};

export interface CheckedChunk {
  chunk: LogChunkMsg;
  /** Lines left out here (invalid, or beyond CHUNK_LINES_MAX). */
  dropped: number;
}

export function checkChunk(c: LogChunkMsg): CheckedChunk {
  const raw = Array.isArray(c.lines) ? c.lines : [];
  const lines: LogLineMsg[] = [];
  let dropped = Math.max(0, raw.length - CHUNK_LINES_MAX);
  for (const l of raw.slice(0, CHUNK_LINES_MAX)) {
    const time = saneTime(l?.time_ms);
    if (typeof l?.pod !== 'string' || !POD.test(l.pod) || typeof l.container !== 'string' || (l.container !== '' && !CONTAINER.test(l.container)) || time === null || typeof l.text !== 'string') {
      dropped++;
      continue;
    }
    lines.push({ pod: l.pod, container: l.container, time_ms: time, text: text(l.text, LINE_TEXT_MAX) });
  }
  const pods = (Array.isArray(c.pods) ? c.pods : []).filter((p) => typeof p === 'string' && POD.test(p)).slice(0, PODS_MAX);
  return {
    chunk: { id: c.id, lines, pods, done: c.done === true, error: text(c.error, ERROR_MAX), truncated: c.truncated === true || dropped > 0 },
    dropped,
  };
}

const num = (v: unknown, max: number): number => {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, max) : 0;
};

function checkEvent(e: KubeEventMsg): KubeEventMsg | null {
  if (e?.type !== 'Normal' && e?.type !== 'Warning') return null;
  const time = (v: unknown) => (typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v)) ? v : '');
  return {
    type: e.type,
    reason: text(e.reason, 256),
    message: text(e.message, ERROR_MAX),
    object_kind: text(e.object_kind, 64),
    object_name: text(e.object_name, 253),
    service: typeof e.service === 'string' && SERVICE.test(e.service) ? e.service : '',
    count: Math.trunc(num(e.count, 2 ** 31 - 1)),
    first_time: time(e.first_time),
    last_time: time(e.last_time),
    source: text(e.source, 256),
  };
}

function checkPod(p: PodResourcesMsg): PodResourcesMsg | null {
  if (typeof p?.pod !== 'string' || !POD.test(p.pod) || typeof p.service !== 'string' || !SERVICE.test(p.service)) return null;
  // Nothing in a commons asks for more than a petabyte or a million cores.
  const cores = (v: unknown) => num(v, 1e6);
  const bytes = (v: unknown) => num(v, 1e15);
  return {
    pod: p.pod,
    service: p.service,
    cpu_cores: cores(p.cpu_cores),
    memory_bytes: bytes(p.memory_bytes),
    cpu_request_cores: cores(p.cpu_request_cores),
    cpu_limit_cores: cores(p.cpu_limit_cores),
    memory_request_bytes: bytes(p.memory_request_bytes),
    memory_limit_bytes: bytes(p.memory_limit_bytes),
  };
}

export function checkInspectResult(r: InspectResultMsg): { result: InspectResultMsg; dropped: number } {
  let dropped = 0;
  const keep = <T, U>(list: T[] | undefined, max: number, check: (t: T) => U | null): U[] => {
    const all = Array.isArray(list) ? list : [];
    dropped += Math.max(0, all.length - max);
    const out: U[] = [];
    for (const x of all.slice(0, max)) {
      const ok = check(x);
      if (ok) out.push(ok);
      else dropped++;
    }
    return out;
  };
  const events = r.events ? { items: keep(r.events.items, EVENTS_MAX, checkEvent) } : null;
  const resources = r.resources ? { available: r.resources.available === true, detail: text(r.resources.detail, ERROR_MAX), pods: keep(r.resources.pods, RESOURCE_PODS_MAX, checkPod) } : null;
  return { result: { id: r.id, error: text(r.error, ERROR_MAX), events, resources }, dropped };
}
