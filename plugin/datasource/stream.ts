// Grafana Live: channel path "events" (or "events/<commons>") relays the
// control service's event stream, one JSON packet per event, as long as the
// channel has subscribers. Subscribing needs the events:read permission
// (developer and up), checked for every subscriber.
import { CommonsId } from '../../contracts/api';
import { can } from '../../contracts/roles';
import { ControlClient } from '../control/client';
import { relayEvents } from '../control/event-stream';
import { controlSettings } from '../control/settings';
import type { IdentityResolver } from '../identity/resolve';
import type { CallContext, StreamHandler, StreamReply, StreamRequest, StreamSender } from '../sdk';
import { resolveDataSourceIdentity } from './identity';

/** The commons a channel path is about; null for all; undefined when the path is not a channel of ours. */
export function channelCommons(path: string): string | null | undefined {
  if (path === 'events') return null;
  const m = /^events\/(.+)$/.exec(path);
  if (m && CommonsId.safeParse(m[1]).success) return m[1];
  return undefined;
}

export function streamHandler(resolver: IdentityResolver): StreamHandler {
  return {
    async subscribeStream(req: StreamRequest, ctx: CallContext): Promise<StreamReply> {
      if (channelCommons(req.path) === undefined) return { status: 'NOT_FOUND' };
      const r = await resolveDataSourceIdentity(resolver, req.pluginContext, req.headers, ctx.signal, ctx.logger);
      if (!r.ok || !can(r.identity.role, 'events:read')) {
        ctx.logger.info('live events subscription refused', { user: req.pluginContext.user?.login ?? null, role: r.ok ? r.identity.role : null });
        return { status: 'PERMISSION_DENIED' };
      }
      return { status: 'OK' };
    },

    async runStream(req: StreamRequest, sender: StreamSender, ctx: CallContext): Promise<void> {
      const commons = channelCommons(req.path);
      if (commons === undefined) throw new Error(`no stream at path ${req.path}`);
      const settings = controlSettings(req.pluginContext);
      if (!settings.ok) throw new Error(settings.problem);
      const r = await resolveDataSourceIdentity(resolver, req.pluginContext, req.headers, ctx.signal, ctx.logger);
      if (!r.ok) throw new Error(r.detail);
      const client = new ControlClient(settings.settings, r.identity);
      const logger = ctx.logger.with({ path: req.path, user: r.identity.login });
      logger.info('relaying control service events to Grafana Live');
      let sent = 0;
      try {
        for await (const event of relayEvents({ client, commons: commons ?? undefined, signal: ctx.signal, logger })) {
          await sender.sendJson(event.data);
          sent++;
        }
      } finally {
        logger.info('stopped relaying control service events', { sent, reason: ctx.signal.aborted ? 'cancelled' : 'ended' });
      }
    },
  };
}
