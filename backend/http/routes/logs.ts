// Pod logs of a service or a Job, read by the commons' agent on demand and
// never stored here (nor written to this service's log): one answer (JSON), or
// followed as Server-Sent Events until the reader goes away.
import type { Response } from 'express';
import { Router } from 'express';
import { LOG_BYTES_MAX, LOG_LINES_MAX, type LogsQuery, type LogsStreamEvent, type LogsView } from '../../../contracts/api';
import type { LogChunkMsg } from '../../../contracts/agent-messages';
import { ROUTES } from '../../../contracts/routes';
import type { AgentAsk } from '../../cluster/cluster';
import type { Fleet } from '../../fleet/fleet';
import type { AgentRequestFailure, AgentRequests } from '../../inspect/agent-requests';
import { type LogsRead, readLogs } from '../../inspect/read';
import { logLineView, mergeByTime } from '../../inspect/views';
import type { Store } from '../../store/store';
import { agentProblem, commonsOr404, serviceOr404 } from '../agent-problem';
import { mount } from '../mount';
import { HttpProblem, sendProblem } from '../problem';

const KEEPALIVE_MS = 15_000;
/** A reader slower than the lines: beyond this many bytes unsent to it, lines are dropped (and the next event says truncated). */
const SSE_BACKLOG_MAX = 1024 * 1024;

export interface LogRoutesDeps {
  store: Store;
  fleet: Pick<Fleet, 'get'>;
  requests: Pick<AgentRequests, 'ask'>;
}

type LogsAsk = Extract<AgentAsk, { type: 'logs' }>;

function logsAsk(target: { service?: string; job?: string }, q: Partial<LogsQuery> & { tail: number }, follow: boolean): LogsAsk {
  const since = q.since ? Date.parse(q.since) : 0;
  const until = q.until ? Date.parse(q.until) : 0;
  if (since && until && since >= until) throw new HttpProblem(422, 'Invalid request', 'until must be after since', [{ field: 'query.until', message: 'must be after since' }]);
  return {
    type: 'logs',
    service: target.service ?? '',
    job: target.job ?? '',
    pod: q.pod ?? '',
    previous: q.previous ?? false,
    follow,
    // Following from now on (tail 0): only lines written after the request.
    since_ms: follow && q.tail === 0 ? Date.now() : since,
    until_ms: until,
    tail_lines: q.tail,
    filter: q.filter ?? '',
    max_lines: LOG_LINES_MAX,
    max_bytes: LOG_BYTES_MAX,
  };
}

/** Which field an agent's "not found" concerns. */
const fieldOf = (ask: LogsAsk) => (says: string) =>
  ask.previous && /previous/i.test(says) ? 'query.previous' : ask.pod && says.includes(ask.pod) ? 'query.pod' : ask.job ? 'path.job' : 'path.service';

function view(r: LogsRead): LogsView {
  return { items: mergeByTime(r.lines).map(logLineView), pods: [...new Set(r.pods)].sort(), truncated: r.truncated };
}

export function logsRouter({ store, fleet, requests }: LogRoutesDeps): Router {
  const r = Router();

  const read = async (id: string, ask: LogsAsk, res: Response): Promise<LogsView> => {
    try {
      return view(await readLogs(requests, id, ask));
    } catch (e) {
      throw agentProblem(e, res, fieldOf(ask));
    }
  };

  mount(r, ROUTES.getServiceLogs, store, async ({ params: { id, service }, query }, _req, res) => {
    serviceOr404(fleet, id, service);
    return { status: 200, body: await read(id, logsAsk({ service }, query, false), res) };
  });

  mount(r, ROUTES.getJobLogs, store, async ({ params: { id, job }, query }, _req, res) => {
    commonsOr404(fleet, id);
    return { status: 200, body: await read(id, logsAsk({ job }, query, false), res) };
  });

  mount(r, ROUTES.followServiceLogs, store, ({ params: { id, service }, query }, _req, res) => {
    serviceOr404(fleet, id, service);
    follow(res, id, logsAsk({ service }, { ...query, previous: false }, true));
  });

  /** The stream opens with the agent's first chunk; a refusal before it is a problem response. */
  function follow(res: Response, id: string, ask: LogsAsk): void {
    let open = false;
    let gone = false;
    let dropped = false;
    let keepalive: NodeJS.Timeout | null = null;
    const write = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const start = () => {
      open = true;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      res.write(': following\n\n');
      keepalive = setInterval(() => {
        if (fleet.get(id)?.agent.connected === false) {
          write('end', { detail: `the agent of commons ${id} disconnected; follow again once it is back` });
          return close();
        }
        res.write(': keepalive\n\n');
      }, KEEPALIVE_MS);
    };
    const close = () => {
      if (gone) return;
      gone = true;
      if (keepalive) clearInterval(keepalive);
      h.stop();
      res.end();
    };
    const h = requests.ask(id, ask, {
      chunk(c: LogChunkMsg) {
        if (gone) return;
        if (!open) start();
        // A reader that does not keep up loses lines, never this service's memory.
        const slow = res.writableLength > SSE_BACKLOG_MAX;
        if (slow && c.lines.length) dropped = true;
        const lines = slow ? [] : mergeByTime(c.lines).map(logLineView);
        const event: LogsStreamEvent = { lines };
        if (c.pods.length) event.pods = c.pods;
        if (c.truncated || (dropped && !slow)) event.truncated = true;
        if (!slow) dropped = false;
        if (lines.length || event.pods || event.truncated) write('logs', event);
      },
      end(failure: AgentRequestFailure | null) {
        if (gone) return;
        if (!open) {
          gone = true;
          const p = failure ? agentProblem(failure, res, fieldOf(ask)) : new HttpProblem(503, 'Agent ended the stream', `the agent of commons ${id} ended the log stream; follow again`);
          if (p instanceof HttpProblem) sendProblem(res, p);
          else res.destroy();
          return;
        }
        write('end', { detail: failure ? failure.message : 'the log stream ended' });
        close();
      },
    });
    res.on('close', () => {
      if (!gone) {
        gone = true;
        if (keepalive) clearInterval(keepalive);
        h.stop();
      }
    });
  }

  return r;
}
