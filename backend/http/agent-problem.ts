// A request to an agent that got no answer, as the API says it: 503 with
// Retry-After when the agent is away, slow, or cannot do it; 404 when the
// agent says what was asked for does not exist (a pod, a previous container).
import type { Response } from 'express';
import type { Problem } from '../../contracts/api';
import type { Fleet } from '../fleet/fleet';
import { AgentRequestFailure } from '../inspect/agent-requests';
import { HttpProblem } from './problem';

/** How the agent's LogSource says a thing does not exist (the Kubernetes API's and the simulator's wording). */
const NOT_FOUND = /\bnot found\b|\bhas no\b|\bis not one of\b|\bdoes not exist\b/i;

export function agentProblem(e: unknown, res: Response, field: (agentSays: string) => string): unknown {
  if (!(e instanceof AgentRequestFailure)) return e;
  if (e.fromAgent && NOT_FOUND.test(e.message)) {
    const f = field(e.message);
    return new HttpProblem(404, 'Not found', `${e.message} (the agent's answer)`, [{ field: f, message: e.message }] satisfies Problem['errors']);
  }
  res.setHeader('Retry-After', '5');
  const detail = e.fromAgent ? `the agent answered: ${e.message}; check the agent's Role and log, then retry` : e.message;
  return new HttpProblem(e.status, e.title, detail);
}

/** The commons, or 404 naming path.id. */
export function commonsOr404(fleet: Pick<Fleet, 'get'>, id: string) {
  const c = fleet.get(id);
  if (!c) throw new HttpProblem(404, 'Not found', `commons ${id} does not exist (GET /api/v1/commons lists them)`, [{ field: 'path.id', message: `no commons ${id}` }]);
  return c;
}

/** The commons when `service` is one of its services, or 404 naming `field`. */
export function serviceOr404(fleet: Pick<Fleet, 'get'>, id: string, service: string, field = 'path.service') {
  const c = commonsOr404(fleet, id);
  if (!c.services.has(service)) {
    const known = [...c.services.keys()].join(', ') || 'none reported yet';
    throw new HttpProblem(404, 'Not found', `commons ${id} has no service ${service}; it has: ${known}`, [{ field, message: `not a service of commons ${id}` }]);
  }
  return c;
}
