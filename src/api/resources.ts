// Calls through Grafana's backend_srv: the app backend's resources
// (/api/plugins/<app>/resources/…, see client.ts) and Grafana's own APIs.
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import type { z } from 'zod';
import { ApiError, toApiError } from './errors';

export interface ResourceOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  params?: Record<string, string | number | undefined>;
}

/** The status and body of a call; a refusal is thrown as an ApiError. */
export async function fetchResource(url: string, opts: ResourceOptions = {}): Promise<{ status: number; data: unknown }> {
  const params = Object.fromEntries(Object.entries(opts.params ?? {}).filter(([, v]) => v !== undefined && v !== ''));
  try {
    const res = await lastValueFrom(
      getBackendSrv().fetch<unknown>({
        url,
        method: opts.method ?? 'GET',
        data: opts.body,
        params,
        // The pages show errors themselves, with what to do about them.
        showErrorAlert: false,
        showSuccessAlert: false,
      }),
    );
    return { status: res.status, data: res.data };
  } catch (err) {
    throw toApiError(err);
  }
}

/** An answer checked against its schema; one that does not fit is an error, not something a page guesses at. */
export function checked<S extends z.ZodType>(url: string, schema: S, data: unknown): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(0, 'Unexpected answer from the DCOC backend', `${url}: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim());
  }
  return parsed.data;
}

/** A JSON answer from a URL outside the app (Grafana's own APIs), checked against its schema. */
export async function fetchJson<S extends z.ZodType>(url: string, schema: S, opts: ResourceOptions = {}): Promise<z.infer<S>> {
  const { data } = await fetchResource(url, opts);
  return checked(url, schema, data);
}
