// A plain GET on the Kubernetes API as a byte stream, for what the typed
// clients do not serve well: pods/log (client-node's Log drops the body of an
// error answer, so the apiserver's message would be lost, and cannot stream
// lines as they come) and metrics.k8s.io (an aggregated API that may be absent).
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { type RequestOptions, request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** The apiserver refused a request: its HTTP status, Status reason and message. */
export class KubeHttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** An error answer's body is read up to this much: a Status object is small. */
const ERROR_BODY_MAX = 64 * 1024;

function readCapped(res: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      if (body.length < max) body += c.slice(0, max - body.length);
    });
    res.on('end', () => resolve(body));
    res.on('error', () => resolve(body));
    res.on('aborted', () => resolve(body));
  });
}

/** Status.message and reason of an error answer; the raw text (cut) when it is not a Status. */
function statusOf(code: number, body: string): KubeHttpError {
  try {
    const s = JSON.parse(body) as { message?: unknown; reason?: unknown };
    if (typeof s.message === 'string') return new KubeHttpError(code, typeof s.reason === 'string' ? s.reason : '', s.message);
  } catch {
    // not JSON: an aggregated API's or a proxy's own answer
  }
  const text = body.trim().slice(0, 500);
  return new KubeHttpError(code, '', text || `HTTP ${code}`);
}

/**
 * GET `path` (with `query`) as the KubeConfig's user; resolves with the
 * response once it answers 200, rejects with KubeHttpError otherwise, and
 * with the network error (or an AbortError) when there is no answer.
 */
export async function kubeGet(kc: KubeConfig, path: string, query: Record<string, string | undefined>, signal: AbortSignal): Promise<IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  const opts: RequestOptions = { method: 'GET', headers: { Accept: 'application/json, */*' } };
  await kc.applyToHTTPSOptions(opts);
  signal.throwIfAborted();
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...opts, signal }, (res) => {
      if (res.statusCode === 200) return resolve(res);
      void readCapped(res, ERROR_BODY_MAX).then((body) => reject(statusOf(res.statusCode ?? 0, body)));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The whole body of a GET as JSON (for small answers: lists of the namespace). */
export async function kubeGetJson<T>(kc: KubeConfig, path: string, query: Record<string, string | undefined>, signal: AbortSignal, maxBytes = 32 * 1024 * 1024): Promise<T> {
  const res = await kubeGet(kc, path, query, signal);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > maxBytes) {
      res.destroy();
      throw new Error(`${path} answered more than ${maxBytes} bytes`);
    }
    chunks.push(c);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}
