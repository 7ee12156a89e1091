// The audit log records refused attempts to change something, as the README
// promises: an authenticated caller's request refused as invalid or
// conflicting (400, 404, 409, 413, 415, 422) with the fields named, and
// unauthenticated attempts. The latter come from anyone on the network, so
// their rows are bounded (a path is cut to 200 characters, no query) and
// limited: at most 30 a minute are written one by one; the rest of that minute
// is counted into one summary row, so a flood cannot grow the log without end.
import type { NextFunction, Request, Response } from 'express';
import { audit } from '../audit/record';
import type { Store } from '../store/store';
import { problemOf } from './problem';

const AUDITED_REFUSALS = new Set([400, 404, 409, 413, 415, 422]);
const MAX_PATH = 200;
export const ANONYMOUS_PER_MINUTE = 30;

const API_MOUNT = '/api/v1';

/**
 * "METHOD /path" with the path cut to a bound: what an audit row may say
 * about a request. The route's pattern when one matched (the same row for
 * every commons), else the path as sent, without its query.
 */
export function boundedAction(req: Request): string {
  const sent = (req.originalUrl ?? `${req.baseUrl}${req.path}`).split('?')[0];
  const path = req.route?.path && sent.startsWith(API_MOUNT) ? `${API_MOUNT}${req.route.path}` : sent;
  return `${req.method} ${path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path}`;
}

/**
 * A path parameter of the refused request. Express has reset req.params by
 * the time an error reaches this middleware (outside the router), so they are
 * read back from the matched route's pattern and the path as sent.
 */
function param(req: Request, name: string): string | null {
  const own = (req.params as Record<string, unknown> | undefined)?.[name];
  if (typeof own === 'string') return own.slice(0, 253);
  const pattern = typeof req.route?.path === 'string' ? (req.route.path as string).split('/') : [];
  const sent = (req.originalUrl ?? '').split('?')[0];
  if (!pattern.length || !sent.startsWith(API_MOUNT)) return null;
  const parts = sent.slice(API_MOUNT.length).split('/');
  const at = pattern.indexOf(`:${name}`);
  if (at < 0 || parts.length !== pattern.length) return null;
  try {
    return decodeURIComponent(parts[at]).slice(0, 253);
  } catch {
    return parts[at].slice(0, 253);
  }
}

/** Error middleware: audits an authenticated caller's refused change, then passes the error on. */
export function auditRefusals(store: Store) {
  return async (err: unknown, req: Request, _res: Response, next: NextFunction) => {
    const p = problemOf(err);
    if (p && !p.audited && AUDITED_REFUSALS.has(p.status) && req.method !== 'GET' && req.principal) {
      try {
        await audit(store, req.principal, {
          action: boundedAction(req),
          outcome: 'rejected',
          commons: param(req, 'id'),
          service: param(req, 'service'),
          detail: { status: p.status, reason: p.detail.slice(0, 500), fields: (p.errors ?? []).slice(0, 20).map((e) => e.field.slice(0, 200)) },
        });
      } catch {
        // The refusal still goes out; a failing store is the readiness probe's business.
      }
    }
    next(err);
  };
}

/** Unauthenticated refusals: written one by one up to the minute's limit, then counted into one row. */
export class AnonymousRefusals {
  private windowStart = 0;
  private written = 0;
  private dropped = 0;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async record(req: Request, reason: string): Promise<void> {
    const t = this.now();
    if (t - this.windowStart >= 60_000) {
      const dropped = this.dropped;
      this.windowStart = t;
      this.written = 0;
      this.dropped = 0;
      if (dropped) {
        await audit(this.store, { actor: 'anonymous', kind: 'anonymous' }, { action: 'unauthenticated requests', outcome: 'rejected', detail: { reason: `${dropped} more unauthenticated changes refused in one minute, beyond the ${ANONYMOUS_PER_MINUTE} recorded one by one` } });
      }
    }
    if (this.written >= ANONYMOUS_PER_MINUTE) {
      this.dropped++;
      return;
    }
    this.written++;
    await audit(this.store, { actor: 'anonymous', kind: 'anonymous' }, { action: boundedAction(req), outcome: 'rejected', detail: { reason: reason.slice(0, 200), ip: req.ip } });
  }
}
