// Decides from a health endpoint's answer whether a Gen3 service is healthy.
// Bodies differ per service (gen3-facts.md §1.1), so each has its own rule.
import type { HealthRule } from '../gen3/catalog';

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
    case 'http-200':
      return { ok: true, detail: `HTTP ${status}` };
  }
}
