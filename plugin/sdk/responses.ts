// Small builders for common handler results.
import type { CallResourceResponse } from './handlers';

/** A JSON resource response with Content-Type set. */
export function jsonResponse(status: number, value: unknown, headers: Record<string, string | string[]> = {}): CallResourceResponse {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(value) };
}
