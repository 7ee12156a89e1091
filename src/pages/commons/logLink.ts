// Links that open the commons page's log viewer on a Job's or a service's
// pods: the commons page URL with ?logs=job:<name> or ?logs=service:<name>
// (names are DNS labels or Job names: nothing to escape).
import { commonsUrl } from '../../constants';

export function jobLogsHref(commonsId: string, job: string): string {
  return `${commonsUrl(commonsId)}?logs=job:${job}`;
}

export function serviceLogsHref(commonsId: string, service: string): string {
  return `${commonsUrl(commonsId)}?logs=service:${service}`;
}
