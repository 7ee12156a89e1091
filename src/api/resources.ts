// Calls to the app backend's resources (Grafana's /api/plugins/<app>/resources/…),
// each answer checked against its schema before a page sees it.
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import type { z } from 'zod';
import { RESOURCES_URL } from '../constants';
import { ApiError, toApiError } from './errors';

export interface ResourceOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  params?: Record<string, string | number | undefined>;
}

export async function fetchJson<S extends z.ZodType>(url: string, schema: S, opts: ResourceOptions = {}): Promise<z.infer<S>> {
  const params = Object.fromEntries(Object.entries(opts.params ?? {}).filter(([, v]) => v !== undefined && v !== ''));
  let data: unknown;
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
    data = res.data;
  } catch (err) {
    throw toApiError(err);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(0, 'Unexpected answer from the DCOC backend', `${url}: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim());
  }
  return parsed.data;
}

/** A resource route of the app backend, e.g. `commons/data-midrc-org`. */
export function resource<S extends z.ZodType>(route: string, schema: S, opts: ResourceOptions = {}): Promise<z.infer<S>> {
  return fetchJson(`${RESOURCES_URL}/${route}`, schema, opts);
}

/** Encodes one path segment of a resource route. */
export const seg = encodeURIComponent;
