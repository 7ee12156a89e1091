// One answer from an agent, awaited: a log request read to its end (never
// more than LOG_LINES_MAX lines and LOG_BYTES_MAX bytes held, whatever the
// agent sends), or one inspection.
import { LOG_BYTES_MAX, LOG_LINES_MAX } from '../../contracts/api';
import type { InspectResultMsg, LogLineMsg } from '../../contracts/agent-messages';
import type { AgentAsk } from '../cluster/cluster';
import { AgentRequestFailure, type AgentRequests } from './agent-requests';

export interface LogsRead {
  lines: LogLineMsg[];
  pods: string[];
  truncated: boolean;
}

type Asker = Pick<AgentRequests, 'ask'>;

export function readLogs(requests: Asker, commonsId: string, ask: Extract<AgentAsk, { type: 'logs' }>): Promise<LogsRead> {
  return new Promise((resolve, reject) => {
    const out: LogsRead = { lines: [], pods: [], truncated: false };
    let bytes = 0;
    let over = false;
    const h = requests.ask(commonsId, ask, {
      chunk(c) {
        if (c.pods.length) out.pods = c.pods;
        if (c.truncated) out.truncated = true;
        for (const l of c.lines) {
          if (over) break;
          bytes += Buffer.byteLength(l.text);
          if (out.lines.length >= Math.min(ask.max_lines || LOG_LINES_MAX, LOG_LINES_MAX) || bytes > LOG_BYTES_MAX) {
            over = true;
            break;
          }
          out.lines.push(l);
        }
        if (over) {
          // The agent sent more than it was asked for: what was asked is here, the rest is not waited for.
          out.truncated = true;
          h.stop();
          resolve(out);
        }
      },
      end(failure: AgentRequestFailure | null) {
        if (failure) reject(failure);
        else resolve(out);
      },
    });
  });
}

export function inspectOnce(requests: Asker, commonsId: string, ask: Extract<AgentAsk, { type: 'inspect' }>): Promise<InspectResultMsg> {
  return new Promise((resolve, reject) => {
    let result: InspectResultMsg | null = null;
    requests.ask(commonsId, ask, {
      result(r) {
        result = r;
      },
      end(failure) {
        if (failure) reject(failure);
        else if (result) resolve(result);
        else reject(new AgentRequestFailure(503, 'Agent did not answer', `the agent of commons ${commonsId} ended the request without an answer; retry`));
      },
    });
  });
}
