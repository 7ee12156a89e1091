// The request-metric series (dcoc_requests_total, dcoc_request_duration_seconds_*)
// of a control service's /metrics exposition text, for tests that count them.
export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function requestSeries(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    const m = /^(dcoc_request(?:s_total|_duration_seconds_(?:bucket|sum|count)))\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/**
 * Every commons' per-service detail of a control service (what Prometheus
 * scrapes through /metrics/sd: /metrics/commons/{id} of each), concatenated.
 */
export async function commonsDetailText(controlUrl: string): Promise<string> {
  const targets = (await (await fetch(`${controlUrl}/metrics/sd`)).json()) as { labels: Record<string, string> }[];
  const texts = await Promise.all(targets.map(async (g) => (await fetch(`${controlUrl}${g.labels.__metrics_path__}`)).text()));
  return texts.join('');
}
