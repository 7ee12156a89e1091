// Small helpers for outgoing HTTP calls (to the control service and to Grafana).

/** A signal that aborts when the parent does or after `ms`. */
export function timeoutSignal(parent: AbortSignal | undefined, ms: number): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return parent ? AbortSignal.any([parent, t]) : t;
}

/** The low-level reason of a failed fetch (ECONNREFUSED, …), which undici hides in `cause`. */
export function causeOf(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  if (e?.name === 'AbortError') return 'aborted';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
