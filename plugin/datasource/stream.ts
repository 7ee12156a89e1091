// Grafana Live. Channel path "events" (or "events/<commons>") relays the
// control service's event stream, one JSON packet per event; subscribing
// needs events:read (developer and up). Channel path "logs/<commons>/<service>"
// (see log-channel.ts) relays a follow of the service's pod logs, one JSON
// packet (LogsStreamEvent) per batch; subscribing needs logs:read. Both are
// checked for every subscriber; a relay runs as long as its channel has any.
// A channel is shared by its subscribers, so a user whose access comes from
// team grants joins a channel of one commons they may read, never the
// fleet-wide one (which would show them every commons).
import { CommonsId } from '../../contracts/api';
import type { Permission } from '../../contracts/roles';
import { allowsOn } from '../../contracts/scopes';
import { roleOn } from '../control/access';
import { ControlClient } from '../control/client';
import { relayEvents } from '../control/event-stream';
import { controlSettings } from '../control/settings';
import type { IdentityResolver } from '../identity/resolve';
import type { CallContext, Logger, StreamHandler, StreamReply, StreamRequest, StreamSender } from '../sdk';
import { resolveDataSourceIdentity } from './identity';
import { parseLogChannel, type LogChannel } from './log-channel';
import { relayLogs } from './log-stream';

/** The commons a channel path is about; null for all; undefined when the path is not an events channel. */
export function channelCommons(path: string): string | null | undefined {
  if (path === 'events') return null;
  const m = /^events\/(.+)$/.exec(path);
  if (m && CommonsId.safeParse(m[1]).success) return m[1];
  return undefined;
}

type Channel = { kind: 'events'; commons: string | null } | { kind: 'logs'; logs: LogChannel };

function parseChannel(path: string): Channel | undefined {
  const commons = channelCommons(path);
  if (commons !== undefined) return { kind: 'events', commons };
  const logs = parseLogChannel(path);
  return logs ? { kind: 'logs', logs } : undefined;
}

const NEEDS: Record<Channel['kind'], Permission> = { events: 'events:read', logs: 'logs:read' };

export function streamHandler(resolver: IdentityResolver): StreamHandler {
  return {
    async subscribeStream(req: StreamRequest, ctx: CallContext): Promise<StreamReply> {
      const channel = parseChannel(req.path);
      if (!channel) return { status: 'NOT_FOUND' };
      const r = await resolveDataSourceIdentity(resolver, req.pluginContext, req.headers, ctx.signal, ctx.logger);
      const commons = channel.kind === 'events' ? channel.commons : channel.logs.commons;
      let role = r.ok ? r.identity.role : null;
      if (r.ok && !allowsOn(role, NEEDS[channel.kind]) && commons !== null) {
        const settings = controlSettings(req.pluginContext);
        // Team grants are the control service's to resolve; if it cannot say, the global role stands.
        if (settings.ok) role = await roleOn(new ControlClient(settings.settings, r.identity), r.identity, commons, ctx.signal).catch(() => role);
      }
      if (!r.ok || !allowsOn(role, NEEDS[channel.kind])) {
        ctx.logger.info(`live ${channel.kind} subscription refused`, { user: req.pluginContext.user?.login ?? null, role, needs: NEEDS[channel.kind] });
        return { status: 'PERMISSION_DENIED' };
      }
      return { status: 'OK' };
    },

    async runStream(req: StreamRequest, sender: StreamSender, ctx: CallContext): Promise<void> {
      const channel = parseChannel(req.path);
      if (!channel) throw new Error(`no stream at path ${req.path}`);
      const settings = controlSettings(req.pluginContext);
      if (!settings.ok) throw new Error(settings.problem);
      const r = await resolveDataSourceIdentity(resolver, req.pluginContext, req.headers, ctx.signal, ctx.logger);
      if (!r.ok) throw new Error(r.detail);
      // RunStream acts for the user whose subscription started it; refuse it too when that user may not read it.
      const client = new ControlClient(settings.settings, r.identity);
      const commons = channel.kind === 'events' ? channel.commons : channel.logs.commons;
      if (!allowsOn(await roleOn(client, r.identity, commons, ctx.signal), NEEDS[channel.kind])) throw new Error(`the ${channel.kind} stream needs ${NEEDS[channel.kind]}`);
      const logger = ctx.logger.with({ path: req.path, user: r.identity.login });
      if (channel.kind === 'events') await relayEventsTo(sender, client, channel.commons, ctx.signal, logger);
      else await relayLogsTo(sender, client, channel.logs, ctx.signal, logger);
    },
  };
}

async function relayEventsTo(sender: StreamSender, client: ControlClient, commons: string | null, signal: AbortSignal, logger: Logger): Promise<void> {
  logger.info('relaying control service events to Grafana Live');
  let sent = 0;
  try {
    for await (const event of relayEvents({ client, commons: commons ?? undefined, signal, logger })) {
      await sender.sendJson(event.data);
      sent++;
    }
  } finally {
    logger.info('stopped relaying control service events', { sent, reason: signal.aborted ? 'cancelled' : 'ended' });
  }
}

async function relayLogsTo(sender: StreamSender, client: ControlClient, channel: LogChannel, signal: AbortSignal, logger: Logger): Promise<void> {
  // Never the lines themselves in the plugin's log: counts only.
  logger.info('relaying a pod log follow to Grafana Live');
  let packets = 0;
  let lines = 0;
  try {
    for await (const packet of relayLogs({ client, channel, signal, logger })) {
      await sender.sendJson(packet);
      packets++;
      lines += packet.lines.length;
    }
  } finally {
    logger.info('stopped relaying a pod log follow', { packets, lines, reason: signal.aborted ? 'cancelled' : 'ended' });
  }
}
