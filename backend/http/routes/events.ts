// /api/v1/events: Server-Sent Events of status changes and command progress.
// Honors Last-Event-ID so a reconnecting client misses nothing still buffered.
import { Router } from 'express';
import type { SequencedEvent } from '../../../contracts/events';
import { ROUTES } from '../../../contracts/routes';
import type { EventBus } from '../../events/bus';
import type { Store } from '../../store/store';
import { mount } from '../mount';

const KEEPALIVE_MS = 15_000;

export interface EventRoutesDeps {
  store: Store;
  events: Pick<EventBus, 'since' | 'subscribe'>;
}

export function eventsRouter({ store, events }: EventRoutesDeps): Router {
  const r = Router();
  // The stream is written here as it goes, not answered once.
  mount(r, ROUTES.streamEvents, store, ({ query: { commons }, access }, req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const send = (e: SequencedEvent) => {
      if (commons && 'commons' in e && e.commons !== commons) return;
      // Scoped roles: only events of commons the caller may read (fleet-wide ones: the global role).
      if (!access.sees('events:read', 'commons' in e ? e.commons : null)) return;
      res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    const last = Number(req.headers['last-event-id']);
    // Last-Event-ID: 0 asks for everything still buffered.
    if (req.headers['last-event-id'] !== undefined && Number.isFinite(last) && last >= 0) events.since(last).forEach(send);
    res.write(': connected\n\n');
    const unsubscribe = events.subscribe(send);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    req.on('close', () => {
      clearInterval(keepalive);
      unsubscribe();
    });
  });
  return r;
}
