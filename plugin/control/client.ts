// HTTP client for the control service's /api/v1: every request carries a
// fresh identity assertion for the acting user, signed with the shared secret
// (contracts/identity.ts). Secrets and assertions are never logged.
import type { z } from 'zod';
import { signAssertion, type AssertionUser } from '../../contracts/identity';
import { API_PREFIX, type ApiRoute, templatePath } from '../../contracts/routes';
import { ControlHttpError, ControlUnreachable, parseProblem } from './errors';
import { controlRequestSeconds, controlRequests } from './metrics';
import { causeOf } from './net';
import type { ControlSettings } from './settings';

export interface ControlResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

export interface RequestOptions {
  /** Query string, with or without the leading "?". */
  query?: string | URLSearchParams;
  body?: Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Default 10 s (to the whole body). */
  timeoutMs?: number;
  /** Metric label, e.g. "commons/{id}"; keeps ids out of label values. */
  route?: string;
}

/** Assertions live just long enough for one request; the maximum the control service accepts is 300 s. */
const ASSERTION_LIFETIME_S = 60;

/** The control service answered with a body its route's schema does not describe: the two are different versions. */
export class ControlSchemaError extends Error {
  constructor(operation: string, why: string) {
    super(`the control service's answer to ${operation} does not fit DCOC's schema (${why}); upgrade the plugin and the control service to the same release`);
    this.name = 'ControlSchemaError';
  }
}

export class ControlClient {
  constructor(
    readonly settings: ControlSettings,
    private readonly user: AssertionUser,
  ) {}

  /** Any answer with a status, error statuses included; throws ControlUnreachable when there is none. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ControlResponse> {
    const res = await this.open(method, path, opts, opts.timeoutMs ?? 10_000);
    try {
      return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
    } catch (err) {
      throw new ControlUnreachable(this.settings.url, `the response broke off: ${causeOf(err)}`);
    }
  }

  /** GET a JSON document; throws ControlHttpError for an error status. */
  async getJson<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request('GET', path, opts);
    if (res.status < 200 || res.status > 299) throw new ControlHttpError(res.status, parseProblem(res.body), this.settings);
    return JSON.parse(new TextDecoder().decode(res.body)) as T;
  }

  /**
   * GET a route of the table (contracts/routes.ts) that takes no path
   * parameters, its answer checked against the route's 200 schema: the plugin
   * reads what the control service sends through the schema it is sent by.
   */
  async getRoute<R extends ApiRoute & { method: 'get'; responses: { 200: z.ZodType } }>(route: R, opts: RequestOptions = {}): Promise<z.output<R['responses'][200]>> {
    const body = await this.getJson<unknown>(API_PREFIX + templatePath(route.path), opts);
    const parsed = route.responses[200].safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ControlSchemaError(route.operationId, `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data as z.output<R['responses'][200]>;
  }

  /** Opens a request and returns once headers arrive, for streamed bodies (SSE); `connectTimeoutMs` bounds only that wait. */
  stream(path: string, opts: RequestOptions & { connectTimeoutMs?: number } = {}): Promise<Response> {
    return this.open('GET', path, opts, undefined, opts.connectTimeoutMs ?? 10_000);
  }

  private async open(method: string, path: string, opts: RequestOptions, totalTimeoutMs?: number, headerTimeoutMs?: number): Promise<Response> {
    const query = opts.query === undefined ? '' : String(opts.query).replace(/^\?/, '');
    const url = `${this.settings.url}${path}${query ? `?${query}` : ''}`;
    const headers: Record<string, string> = {
      Accept: 'application/json, application/problem+json',
      ...opts.headers,
      Authorization: `Bearer ${await signAssertion(this.user, this.settings.secret, ASSERTION_LIFETIME_S)}`,
    };
    if (opts.body && opts.body.length > 0) headers['Content-Type'] = opts.contentType ?? 'application/json';

    const route = opts.route ?? 'other';
    const endTimer = controlRequestSeconds.startTimer({ route });
    const local = new AbortController();
    const signals = [local.signal, ...(opts.signal ? [opts.signal] : []), ...(totalTimeoutMs ? [AbortSignal.timeout(totalTimeoutMs)] : [])];
    const headerTimer = headerTimeoutMs ? setTimeout(() => local.abort(new DOMException('timed out', 'TimeoutError')), headerTimeoutMs) : undefined;
    try {
      const res = await fetch(url, {
        method,
        headers,
        body: opts.body && opts.body.length > 0 ? new Uint8Array(opts.body) : undefined,
        signal: AbortSignal.any(signals),
        redirect: 'manual',
      });
      controlRequests.inc({ route, status: String(res.status) });
      return res;
    } catch (err) {
      controlRequests.inc({ route, status: 'error' });
      if (opts.signal?.aborted) throw err;
      throw new ControlUnreachable(this.settings.url, causeOf(local.signal.aborted ? local.signal.reason : err));
    } finally {
      clearTimeout(headerTimer);
      endTimer();
    }
  }
}

