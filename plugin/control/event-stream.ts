// The control service's event stream (GET /api/v1/events, Server-Sent
// Events): a relay that reconnects with Last-Event-ID when the connection
// drops, so nothing still buffered by the control service is missed, and a
// one-shot read of what the control service still buffers.
import type { Logger } from '../sdk';
import type { ControlClient } from './client';
import { ControlHttpError, ControlUnreachable, parseProblem } from './errors';
import { eventStreamReconnects } from './metrics';
import { causeOf } from './net';
import { SseParser, type SseEvent } from './sse';
import { API_PREFIX, ROUTES, templatePath } from '../../contracts/routes';
import { sleep } from './sleep';

export interface ControlEvent {
  id: string;
  type: string;
  /** The event's JSON payload (the control service's SequencedEvent: id, at, type, commons, …). */
  data: Record<string, unknown>;
}

/** The control service sends a keepalive comment every 15 s; silence for this long means a dead connection. */
const IDLE_MS = 45_000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;

function eventsQuery(commons?: string): string {
  return commons ? new URLSearchParams({ commons }).toString() : '';
}

function toControlEvent(e: SseEvent): ControlEvent | undefined {
  try {
    const data = JSON.parse(e.data) as unknown;
    if (data && typeof data === 'object' && !Array.isArray(data)) return { id: e.id, type: e.event, data: data as Record<string, unknown> };
  } catch {
    // not JSON: not an event of ours
  }
  return undefined;
}

async function openEvents(client: ControlClient, opts: { commons?: string; lastEventId?: string; signal: AbortSignal }): Promise<Response> {
  const res = await client.stream(API_PREFIX + templatePath(ROUTES.streamEvents.path), {
    query: eventsQuery(opts.commons),
    headers: { Accept: 'text/event-stream', ...(opts.lastEventId ? { 'Last-Event-ID': opts.lastEventId } : {}) },
    signal: opts.signal,
    route: 'events',
  });
  if (res.status !== 200 || !res.body) {
    const body = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
    throw new ControlHttpError(res.status, parseProblem(body), client.settings);
  }
  return res;
}

/** Reads SSE items from a response body; ends when the body ends, throws when it breaks or stays silent too long. */
export async function* readItems(res: Response, signal: AbortSignal) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      let idle: NodeJS.Timeout | undefined;
      const timeout = new Promise<'idle'>((resolve) => (idle = setTimeout(() => resolve('idle'), IDLE_MS)));
      const next = await Promise.race([reader.read(), timeout]).finally(() => clearTimeout(idle));
      if (next === 'idle') throw new Error(`no data or keepalive for ${IDLE_MS / 1000} s`);
      if (next.done) return;
      yield* parser.push(decoder.decode(next.value, { stream: true }));
      if (signal.aborted) return;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/**
 * Every event from now on until `signal` aborts, across reconnections. Errors
 * the control service answers with a 4xx (refused credentials or permission)
 * end the relay: retrying cannot fix them.
 */
export async function* relayEvents(opts: {
  client: ControlClient;
  commons?: string;
  signal: AbortSignal;
  logger: Logger;
  /** Called each time the stream is (re)established. */
  onConnected?: (attempt: number) => void;
}): AsyncGenerator<ControlEvent> {
  const { client, signal, logger } = opts;
  let lastEventId: string | undefined;
  let backoff = BACKOFF_MIN_MS;
  for (let attempt = 0; !signal.aborted; attempt++) {
    let reason: string;
    try {
      const res = await openEvents(client, { commons: opts.commons, lastEventId, signal });
      opts.onConnected?.(attempt);
      if (attempt > 0) logger.info('control service event stream reconnected', { lastEventId: lastEventId ?? null });
      for await (const item of readItems(res, signal)) {
        if (item.kind !== 'event') continue;
        backoff = BACKOFF_MIN_MS; // events flow again: a later drop starts over from a short wait
        if (item.event.id) lastEventId = item.event.id;
        const event = toControlEvent(item.event);
        if (event) yield event;
      }
      reason = 'the control service closed the stream';
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ControlHttpError && err.status >= 400 && err.status < 500) throw err;
      reason = err instanceof ControlUnreachable ? err.reason : causeOf(err);
    }
    if (signal.aborted) return;
    eventStreamReconnects.inc();
    logger.warn('control service event stream dropped; reconnecting', { reason, retryInMs: backoff, lastEventId: lastEventId ?? null });
    await sleep(backoff, signal);
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
  }
}

/**
 * The events the control service still buffers (its ring of recent events),
 * oldest first. The control service replays events with ids above
 * Last-Event-ID and ignores values ≤ 0, so a value just above 0 asks for the
 * whole buffer; it marks the end of the replay with a ": connected" comment.
 */
export async function bufferedEvents(client: ControlClient, opts: { commons?: string; signal?: AbortSignal }): Promise<ControlEvent[]> {
  const local = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, local.signal]) : local.signal;
  const timer = setTimeout(() => local.abort(new DOMException('timed out', 'TimeoutError')), 10_000);
  const out: ControlEvent[] = [];
  try {
    const res = await openEvents(client, { commons: opts.commons, lastEventId: '0.5', signal });
    for await (const item of readItems(res, signal)) {
      if (item.kind === 'comment' && item.text === 'connected') return out;
      if (item.kind === 'event') {
        const event = toControlEvent(item.event);
        if (event) out.push(event);
      }
    }
    throw new ControlUnreachable(client.settings.url, 'the event stream ended before its replay did');
  } catch (err) {
    if (local.signal.aborted) throw new ControlUnreachable(client.settings.url, 'timed out reading buffered events');
    throw err;
  } finally {
    clearTimeout(timer);
    local.abort();
  }
}

