// The typed client of the app backend's resources: a call names a route of
// the table (contracts/routes.ts) with its inputs, and its answer is checked
// against that route's response schema before a page sees it.
import type { z } from 'zod';
import { type ApiRoute, type AppRoute, responseSchema, templatePath } from '../../contracts/routes';
import { RESOURCES_URL } from '../constants';
import { ApiError } from './errors';
import { checked, fetchResource } from './resources';

/** A route the page may call through the app: one the app forwards, or one it answers itself. */
export type ClientRoute = (ApiRoute & { app: 'forward' }) | AppRoute;

type In<S> = S extends z.ZodType ? z.input<S> : never;
type Field<R, K extends string> = R extends { [P in K]: z.ZodType } ? { [P in K]: In<R[P]> } : { [P in K]?: never };

export type RequestInput<R extends ClientRoute> = Field<R, 'params'> & Partial<Field<R, 'query'>> & Field<R, 'body'>;

export type ResponseOf<R extends ClientRoute> = {
  [S in keyof R['responses']]: R['responses'][S] extends z.ZodType ? z.output<R['responses'][S]> : undefined;
}[keyof R['responses']];

/** '/commons/:id/jobs' with { id: 'a b' } → 'commons/a%20b/jobs'. */
export function resourcePath(route: Pick<ApiRoute, 'path'>, params: Record<string, string | number> = {}): string {
  return templatePath(route.path)
    .slice(1)
    .replace(/\{(\w+)\}/g, (_m, name: string) => {
      if (params[name] === undefined) throw new Error(`${route.path}: no value for path parameter ${name}`);
      return encodeURIComponent(String(params[name]));
    });
}

export async function request<R extends ClientRoute>(route: R, input: RequestInput<R> = {} as RequestInput<R>): Promise<ResponseOf<R>> {
  const { params, query, body } = input as { params?: Record<string, string | number>; query?: Record<string, string | number | undefined>; body?: unknown };
  const url = `${RESOURCES_URL}/${resourcePath(route, params)}`;
  const res = await fetchResource(url, { method: route.method.toUpperCase() as 'GET', params: query, body });
  const schema = responseSchema(route, res.status);
  if (schema === undefined) throw new ApiError(0, 'Unexpected answer from the DCOC backend', `${url}: status ${res.status}`);
  if (schema === null) return undefined as ResponseOf<R>;
  return checked(url, schema, res.data) as ResponseOf<R>;
}
