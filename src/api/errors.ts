// One error type for every failed call, carrying the control service's (or
// the app backend's) problem+json, and what the user can do about it.
import { isFetchError } from '@grafana/runtime';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fields: { field: string; message: string }[] = [],
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
  }

  get forbidden(): boolean {
    return this.status === 403;
  }
}

interface ProblemLike {
  title?: unknown;
  detail?: unknown;
  message?: unknown;
  errors?: unknown;
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isFetchError<ProblemLike | string>(err)) {
    const data = typeof err.data === 'object' && err.data !== null ? err.data : {};
    const title = typeof data.title === 'string' ? data.title : err.statusText || `HTTP ${err.status}`;
    const detail =
      typeof data.detail === 'string' ? data.detail : typeof data.message === 'string' ? data.message : typeof err.data === 'string' ? err.data : '';
    const fields = Array.isArray(data.errors) ? (data.errors as { field: string; message: string }[]) : [];
    return new ApiError(err.status, title, detail, fields);
  }
  return new ApiError(0, 'Request failed', err instanceof Error ? err.message : String(err));
}

/** What the user can do about an error, in one sentence. */
export function remedy(e: ApiError): string {
  switch (e.status) {
    case 0:
      return 'Check your connection to Grafana and reload the page.';
    case 400:
    case 422:
      return 'Correct the highlighted values and try again.';
    case 401:
      return 'Your Grafana session may have ended: sign in again.';
    case 403:
      return 'Ask a Grafana administrator for a DCOC role that allows this.';
    case 404:
      return 'It may have been removed or renamed: go back to the fleet and pick it again.';
    case 409:
      return 'Someone changed it meanwhile: reload, check the current state and try again.';
    case 502:
    case 503:
    case 504:
      return "The control service is unreachable or the app is not configured: check the DCOC app's Configuration page, or ask an administrator.";
    default:
      return 'Try again; if it keeps failing, an administrator can find the cause in the DCOC plugin log.';
  }
}
