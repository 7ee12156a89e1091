// Reading the HTTP headers Grafana forwards with a request.

/**
 * QueryData, CheckHealth and stream requests carry forwarded HTTP headers in a
 * string map under `http_<Header-Name>` (sdk backend/http_headers.go); older
 * Grafana also sent Authorization, X-Id-Token and Cookie without the prefix.
 * Lookup ignores case.
 */
export function forwardedHeader(headers: Record<string, string>, name: string): string | undefined {
  const wanted = `http_${name}`.toLowerCase();
  const legacy = ['authorization', 'x-id-token', 'cookie'].includes(name.toLowerCase()) ? name.toLowerCase() : undefined;
  let fallback: string | undefined;
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    if (key === wanted) return v;
    if (legacy !== undefined && key === legacy) fallback = v;
  }
  return fallback;
}

/** CallResource requests carry the incoming HTTP headers by their own names, each with a list of values. Lookup ignores case. */
export function resourceHeaderValues(headers: Record<string, string[]>, name: string): string[] {
  const wanted = name.toLowerCase();
  return Object.entries(headers).flatMap(([k, v]) => (k.toLowerCase() === wanted ? v : []));
}

export function resourceHeader(headers: Record<string, string[]>, name: string): string | undefined {
  return resourceHeaderValues(headers, name)[0];
}
