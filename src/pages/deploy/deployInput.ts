// What the wizard's form holds, and the request body it makes: overrides
// parsed from YAML or JSON, template and profile defaulting to the commons'
// latest revision, and what is still missing before a plan can be asked for.
import { parse } from 'yaml';
import type { ApiError } from '../../api/errors';
import type { PlanRequest } from '../../data/useDeployments';

export interface DeployInput {
  target: 'existing' | 'new';
  commons: string | null;
  hostname: string;
  environment: string;
  name: string;
  template: string | null;
  profile: string | null;
  release: string | null;
  overrides: string;
  reason: string;
}

export function emptyInput(commons: string | null): DeployInput {
  return { target: 'existing', commons, hostname: '', environment: '', name: '', template: null, profile: null, release: null, overrides: '', reason: '' };
}

export type ParsedOverrides = { ok: true; value: Record<string, unknown> | undefined } | { ok: false; error: string };

/** Overrides as YAML or JSON (JSON is YAML): a mapping of gen3-helm values, or nothing. */
export function parseOverrides(text: string): ParsedOverrides {
  if (!text.trim()) return { ok: true, value: undefined };
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return { ok: false, error: `Not valid YAML or JSON: ${first}` };
  }
  if (value === null || value === undefined) return { ok: true, value: undefined };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'Overrides must be a mapping of gen3-helm values, e.g. "fence: {replicaCount: 3}"' };
  return { ok: true, value: value as Record<string, unknown> };
}

/** Template and profile as they will be sent: chosen, or the latest revision's. */
export function effectiveBlueprint(input: DeployInput, latest: { template: string; profile: string } | undefined) {
  const fromRevision = input.target === 'existing' ? latest : undefined;
  return { template: input.template ?? fromRevision?.template ?? null, profile: input.profile ?? fromRevision?.profile ?? null };
}

export type Missing = Partial<Record<'commons' | 'hostname' | 'environment' | 'template' | 'profile' | 'release' | 'overrides', string>>;

export function buildRequest(input: DeployInput, latest: { template: string; profile: string } | undefined): { request: PlanRequest | null; missing: Missing } {
  const missing: Missing = {};
  const { template, profile } = effectiveBlueprint(input, latest);
  if (input.target === 'existing' && !input.commons) missing.commons = 'Choose the commons to deploy to';
  if (input.target === 'new') {
    if (!input.hostname.trim()) missing.hostname = 'The new commons needs a hostname';
    if (!input.environment.trim()) missing.environment = 'The new commons needs an environment name';
  }
  if (!template) missing.template = input.target === 'new' ? 'A new commons needs a template' : 'This commons has no revision yet to take the template from: choose one';
  if (!profile) missing.profile = input.target === 'new' ? 'A new commons needs a profile' : 'This commons has no revision yet to take the profile from: choose one';
  if (!input.release) missing.release = 'Choose the release';
  const overrides = parseOverrides(input.overrides);
  if (!overrides.ok) missing.overrides = overrides.error;
  if (Object.keys(missing).length > 0 || !overrides.ok || !input.release) return { request: null, missing };
  const request: PlanRequest = {
    ...(input.target === 'existing'
      ? { commons: input.commons ?? undefined }
      : { newCommons: { hostname: input.hostname.trim(), environment: input.environment.trim(), ...(input.name.trim() ? { name: input.name.trim() } : {}) } }),
    template: template ?? undefined,
    profile: profile ?? undefined,
    release: input.release,
    ...(overrides.value ? { overrides: overrides.value } : {}),
    ...(input.reason.trim() ? { reason: input.reason.trim() } : {}),
  };
  return { request, missing };
}

/** What a plan depends on: the request without the reason (changing the reason does not make a plan stale). */
export function planKey(request: PlanRequest | null): string {
  if (!request) return '';
  const { reason: _reason, ...rest } = request;
  return JSON.stringify(rest);
}

/** The server's messages for one request field (`body.release`) and the fields below it (`body.overrides.fence.replicaCount`). */
export function serverFieldErrors(err: ApiError | undefined, field: string): string | undefined {
  if (!err) return undefined;
  const out = err.fields
    .filter((f) => f.field === field || f.field.startsWith(`${field}.`))
    .map((f) => {
      const below = f.field.slice(field.length + 1);
      // The control service often names the path in its message already.
      return f.field === field || f.message.startsWith(below) ? f.message : `${below}: ${f.message}`;
    });
  return out.length ? out.join('; ') : undefined;
}
