// /api/v1/events: Server-Sent Events of status changes and command progress.
// Honors Last-Event-ID so a reconnecting client misses nothing still buffered.
import { Router } from 'express';
import { EventsQuery } from '../../../contracts/api';
import type { SequencedEvent } from '../../events/bus';
import { requirePermission } from '../auth';
import type { ApiContext } from '../context';
import { parse } from '../validate';

const KEEPALIVE_MS = 15_000;

export function eventsRouter(ctx: ApiContext): Router {
  const r = Router();
  r.get('/events', async (req, res) => {
    await requirePermission(req, ctx.store, 'events:read');
    const { commons } = parse(EventsQuery, req.query, 'query');
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const send = (e: SequencedEvent) => {
      if (commons && 'commons' in e && e.commons !== commons) return;
      res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    const last = Number(req.headers['last-event-id']);
    // Last-Event-ID: 0 asks for everything still buffered.
    if (req.headers['last-event-id'] !== undefined && Number.isFinite(last) && last >= 0) ctx.events.since(last).forEach(send);
    res.write(': connected\n\n');
    const unsubscribe = ctx.events.subscribe(send);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    req.on('close', () => {
      clearInterval(keepalive);
      unsubscribe();
    });
  });
  return r;
}
