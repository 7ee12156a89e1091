// Errors the app answers itself, in the control service's problem+json form
// so the pages handle every error the same way.
import type { CallResourceResponse } from '../sdk';

const TYPES: Record<number, string> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  502: 'bad-gateway',
  503: 'unavailable',
};

export function problemResponse(status: number, title: string, detail: string, headers: Record<string, string> = {}): CallResourceResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type: `urn:gen3-dcoc:problem:${TYPES[status] ?? 'error'}`, title, status, detail }),
  };
}
