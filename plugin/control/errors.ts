// Control service failures as messages that say what to fix. The control
// service answers errors as RFC 9457 problem+json.
import type { Problem } from '../../contracts/api';
import { ownerLabel, type ControlSettings } from './settings';

/** The control service could not be reached at all. */
export class ControlUnreachable extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the control service at ${url}: ${reason}; check controlUrl and that dcoc-control is running`);
  }
}

/** The control service answered with an error status. */
export class ControlHttpError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | null,
    settings: ControlSettings,
  ) {
    super(describeControlError(status, problem, settings));
  }
}

/** Parses a problem+json (or any JSON object) error body; null when it is not one. */
export function parseProblem(body: Uint8Array): Partial<Problem> | null {
  try {
    const v = JSON.parse(new TextDecoder().decode(body)) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Partial<Problem>) : null;
  } catch {
    return null;
  }
}

/**
 * A 401 from the control service is about the plugin's credentials, never the
 * Grafana user's: the assertion the plugin signed was refused.
 */
export function describeControlError(status: number, problem: Partial<Problem> | null, settings: ControlSettings): string {
  const said = problem?.detail ? ` (control service: ${problem.detail})` : '';
  if (status === 401) {
    if (problem?.detail && /expired|future/.test(problem.detail)) {
      return `the control service refused the plugin's identity assertion as expired or not yet valid; check the clocks of the Grafana and control service hosts${said}`;
    }
    return `the control service refused the shared secret; set the same secret in DCOC_PLUGIN_SECRET and ${ownerLabel(settings.owner)} controlSecret${said}`;
  }
  if (problem?.detail) return problem.title ? `${problem.title}: ${problem.detail}` : problem.detail;
  return `the control service answered ${status}${problem?.title ? ` ${problem.title}` : ''}`;
}
