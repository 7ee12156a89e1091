// Relays the control service's follow of a service's pod logs (GET
// …/services/:service/logs/stream, Server-Sent Events `logs`) to Grafana Live,
// one JSON packet (a LogsStreamEvent) per event, split so no packet is large.
// A dropped connection is reopened without a tail; the first packet after it
// says `truncated`, since lines written meanwhile may be missing. A 4xx (refused,
// unknown service) ends the relay: retrying cannot fix it.
import { LogsStreamEvent } from '../../contracts/api';
import { API_PREFIX, ROUTES, templatePath } from '../../contracts/routes';
import type { ControlClient } from '../control/client';
import { ControlHttpError, ControlUnreachable, parseProblem } from '../control/errors';
import { readItems } from '../control/event-stream';
import { causeOf } from '../control/net';
import type { Logger } from '../sdk';
import type { LogChannel } from './log-channel';
import { sleep } from '../control/sleep';

/** Lines of the tail the first connection asks for; the page reads earlier lines itself. */
const FOLLOW_TAIL = 50;
/** Packets stay under this many bytes of line text. */
const PACKET_BYTES = 32 * 1024;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;

async function openFollow(client: ControlClient, ch: LogChannel, tail: number, signal: AbortSignal): Promise<Response> {
  const path = templatePath(ROUTES.followServiceLogs.path).replace('{id}', encodeURIComponent(ch.commons)).replace('{service}', encodeURIComponent(ch.service));
  const query = new URLSearchParams({ tail: String(tail) });
  if (ch.filter) query.set('filter', ch.filter);
  const res = await client.stream(API_PREFIX + path, { query, headers: { Accept: 'text/event-stream' }, signal, route: 'commons/{id}/services/{service}/logs/stream' });
  if (res.status !== 200 || !res.body) {
    const body = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
    throw new ControlHttpError(res.status, parseProblem(body), client.settings);
  }
  return res;
}

/** A stream event cut into packets of at most PACKET_BYTES of text (a longer single line goes alone). */
export function splitEvent(e: LogsStreamEvent): LogsStreamEvent[] {
  const out: LogsStreamEvent[] = [];
  let lines: LogsStreamEvent['lines'] = [];
  let bytes = 0;
  for (const l of e.lines) {
    if (lines.length > 0 && bytes + l.line.length > PACKET_BYTES) {
      out.push({ lines });
      lines = [];
      bytes = 0;
    }
    lines.push(l);
    bytes += l.line.length;
  }
  if (lines.length > 0 || out.length === 0) out.push({ lines });
  // pods and truncated ride on the first packet.
  out[0] = { ...out[0], ...(e.pods ? { pods: e.pods } : {}), ...(e.truncated ? { truncated: true } : {}) };
  return out;
}

export async function* relayLogs(opts: { client: ControlClient; channel: LogChannel; signal: AbortSignal; logger: Logger }): AsyncGenerator<LogsStreamEvent> {
  const { client, channel, signal, logger } = opts;
  let backoff = BACKOFF_MIN_MS;
  for (let attempt = 0; !signal.aborted; attempt++) {
    let reason: string;
    try {
      const res = await openFollow(client, channel, attempt === 0 ? FOLLOW_TAIL : 0, signal);
      if (attempt > 0) {
        logger.info('control service log follow reconnected');
        yield { lines: [], truncated: true };
      }
      for await (const item of readItems(res, signal)) {
        if (item.kind !== 'event' || item.event.event !== 'logs') continue;
        backoff = BACKOFF_MIN_MS;
        let data: unknown;
        try {
          data = JSON.parse(item.event.data);
        } catch {
          data = undefined;
        }
        const parsed = LogsStreamEvent.safeParse(data);
        if (!parsed.success) {
          logger.warn('ignoring a log follow event that does not fit the schema', { issue: parsed.error.issues[0]?.message ?? 'invalid' });
          continue;
        }
        yield* splitEvent(parsed.data);
      }
      reason = 'the control service closed the stream';
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ControlHttpError && err.status >= 400 && err.status < 500) throw err;
      reason = err instanceof ControlUnreachable ? err.reason : causeOf(err);
    }
    if (signal.aborted) return;
    logger.warn('control service log follow dropped; reconnecting', { reason, retryInMs: backoff });
    await sleep(backoff, signal);
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
  }
}

