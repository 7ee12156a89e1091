// Decides from a health endpoint's answer whether a Gen3 service is healthy.
// Bodies differ per service (gen3-facts.md §1.1), so each has its own rule.
import type { HealthRule } from '../../contracts/gen3/catalog';

export interface Verdict {
  ok: boolean;
  detail: string;
}

function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export function judgeHealth(rule: HealthRule, status: number, body: string): Verdict {
  if (status < 200 || status > 299) return { ok: false, detail: `HTTP ${status}${body ? `: ${body.slice(0, 120).trim()}` : ''}` };
  const text = body.trim();
  switch (rule) {
    case 'text-healthy':
      // Flask services answer Healthy as text; some wrap it as a JSON string.
      return text === 'Healthy' || text === '"Healthy"' ? { ok: true, detail: 'Healthy' } : { ok: false, detail: `unexpected body ${JSON.stringify(text.slice(0, 60))}` };
    case 'json-string-healthy':
      return json(text) === 'Healthy' ? { ok: true, detail: 'Healthy' } : { ok: false, detail: `expected JSON "Healthy", got ${JSON.stringify(text.slice(0, 60))}` };
    case 'json-status-ok': {
      const v = json(text) as { status?: unknown } | undefined;
      return v?.status === 'OK' ? { ok: true, detail: 'OK' } : { ok: false, detail: `expected {"status":"OK"}, got ${text.slice(0, 60)}` };
    }
    case 'revproxy': {
      const v = json(text) as { message?: unknown } | undefined;
      return v?.message === 'Feelin good!' ? { ok: true, detail: 'Feelin good!' } : { ok: false, detail: `unexpected revproxy body ${text.slice(0, 60)}` };
    }
    case 'guppy': {
      const v = json(text) as { statusCode?: unknown; indices?: unknown } | undefined;
      return v?.statusCode === 200 && typeof v.indices === 'object'
        ? { ok: true, detail: `${Object.keys(v.indices ?? {}).length} indices` }
        : { ok: false, detail: `guppy status ${String(v?.statusCode ?? 'missing')}` };
    }
    case 'es-cluster-health':
      return esClusterHealth(text);
    case 'http-200':
      return { ok: true, detail: `HTTP ${status}` };
  }
}

/**
 * Elasticsearch's GET /_cluster/health, through aws-es-proxy or
 * aws-sigv4-proxy. The answer is 200 whatever the cluster's state, so the
 * verdict is the body's `status`:
 *  - green: every shard allocated.
 *  - yellow: healthy, with the reason in the detail. Every primary shard is
 *    allocated, so every index answers searches and takes writes; only
 *    replicas are missing (less redundancy). It is the permanent state of a
 *    one-node domain (gen3-helm's own dev Elasticsearch is single-node and
 *    waits for `wait_for_status=yellow`, helm/gen3/values.yaml 42cc46bc):
 *    calling it down would show such commons down for good, and a verdict
 *    has no third state (a service is degraded by its replicas, not its check).
 *  - red: unhealthy. A primary shard is unassigned, so some index cannot be
 *    searched: guppy's Exploration page fails on it.
 */
function esClusterHealth(text: string): Verdict {
  const v = json(text) as { status?: unknown; unassigned_shards?: unknown; active_shards_percent_as_number?: unknown; cluster_name?: unknown } | undefined;
  const unassigned = typeof v?.unassigned_shards === 'number' ? `, ${v.unassigned_shards} unassigned shard(s)` : '';
  switch (v?.status) {
    case 'green':
      return { ok: true, detail: 'green' };
    case 'yellow':
      return { ok: true, detail: `yellow: every primary shard allocated, some replicas not${unassigned}` };
    case 'red':
      return { ok: false, detail: `red: primary shard(s) unassigned, some indices cannot be searched${unassigned}` };
    default:
      return { ok: false, detail: `expected Elasticsearch cluster health {"status":"green|yellow|red"}, got ${JSON.stringify(text.slice(0, 60))}` };
  }
}
