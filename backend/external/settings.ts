// What the external checks are told: the schemas of their DCOC_EXTERNAL_*
// settings (env.ts declares them) and the settings read once at start-up, with
// the cross-checks one variable alone cannot make.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Env } from '../config/env';

/** The placeholder the URL template must hold, in its host. */
export const HOSTNAME_PLACEHOLDER = '{hostname}';
export const MAX_PATHS = 12;

/** A path probed on every commons: absolute, no query or fragment (the label `endpoint` is this text). */
const probePath = z
  .string()
  .max(200)
  .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, 'each path must start with / and hold no space, ? or #');

export const ExternalCheckPaths = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean))
  .pipe(z.array(probePath).min(1, 'must name at least one path').max(MAX_PATHS, `must name at most ${MAX_PATHS} paths`))
  .refine((ps) => new Set(ps).size === ps.length, 'must not name a path twice');

/** The URL of a commons with its hostname in place of {hostname}, or a reason it is not one. */
export function urlTemplateProblem(template: string): string | undefined {
  if (template.split(HOSTNAME_PLACEHOLDER).length !== 2) return `must hold ${HOSTNAME_PLACEHOLDER} exactly once`;
  let u: URL;
  try {
    u = new URL(template.replace(HOSTNAME_PLACEHOLDER, 'commons.example.org'));
  } catch {
    return 'must be a URL such as https://{hostname} or https://{hostname}:8443';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http:// or https:// URL';
  // Probes never carry credentials.
  if (u.username || u.password) return 'must not hold a user name or password';
  if (u.search || u.hash || template.includes('?') || template.includes('#')) return 'must not hold a query or fragment (the paths are DCOC_EXTERNAL_CHECK_PATHS)';
  if (u.hostname !== 'commons.example.org') return `${HOSTNAME_PLACEHOLDER} must be the whole host name (https://{hostname}[:port][/prefix])`;
  return undefined;
}

export const ExternalCheckUrlTemplate = z.string().superRefine((s, ctx) => {
  const problem = urlTemplateProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** "hostname=address,…": probe these commons at this address (the TLS name and Host stay the hostname). */
export const ExternalCheckAddresses = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean))
  .pipe(
    z.array(
      z
        .string()
        .regex(/^[a-z0-9.-]+=[0-9a-fA-F.:]+$/, 'each entry must be hostname=address, e.g. data.example.org=10.0.0.7')
        .refine((e) => isIP(e.slice(e.indexOf('=') + 1)) !== 0, 'each address must be an IPv4 or IPv6 address'),
    ),
  )
  .transform((entries) => new Map(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const)));

export interface ExternalCheckSettings {
  enabled: boolean;
  intervalMs: number;
  timeoutMs: number;
  concurrency: number;
  paths: string[];
  urlTemplate: string;
  /** PEM of the extra trusted CAs (beside the system's), or undefined. */
  extraCaPem: string | undefined;
  /** Hostname → address overrides of DNS. */
  addresses: Map<string, string>;
}

const invalid = (name: string, why: string) => new Error(`invalid configuration:\n  ${name}: ${why}`);

/** The settings of the external checks, read once; refuses what would never work (a CA file that holds no certificate). */
export function externalCheckSettings(env: Env): ExternalCheckSettings {
  if (env.DCOC_EXTERNAL_CHECK_TIMEOUT_S >= env.DCOC_EXTERNAL_CHECK_INTERVAL_S) {
    throw invalid('DCOC_EXTERNAL_CHECK_TIMEOUT_S', `must be less than DCOC_EXTERNAL_CHECK_INTERVAL_S (${env.DCOC_EXTERNAL_CHECK_INTERVAL_S})`);
  }
  let extraCaPem: string | undefined;
  const caFile = env.DCOC_EXTERNAL_CHECK_CA_FILE;
  if (caFile) {
    try {
      extraCaPem = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw invalid('DCOC_EXTERNAL_CHECK_CA_FILE', `cannot read ${caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; mount the CA bundle there or unset the variable`);
    }
    if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(extraCaPem)) {
      throw invalid('DCOC_EXTERNAL_CHECK_CA_FILE', `${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    }
  }
  return {
    enabled: env.DCOC_EXTERNAL_CHECKS,
    intervalMs: env.DCOC_EXTERNAL_CHECK_INTERVAL_S * 1000,
    timeoutMs: env.DCOC_EXTERNAL_CHECK_TIMEOUT_S * 1000,
    concurrency: env.DCOC_EXTERNAL_CHECK_CONCURRENCY,
    paths: env.DCOC_EXTERNAL_CHECK_PATHS,
    urlTemplate: env.DCOC_EXTERNAL_CHECK_URL,
    extraCaPem,
    addresses: env.DCOC_EXTERNAL_CHECK_ADDRESSES ?? new Map(),
  };
}
