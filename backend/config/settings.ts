// The control service's settings as documentation rows, read from the schema
// in env.ts (its .describe() texts and defaults): `dcoc-control serve --help`
// and docs/settings.md print these.
import { EnvSchema } from './env';

export interface SettingDoc {
  name: string;
  /** The default as the service sees it; undefined: unset. */
  default: string | undefined;
  description: string;
}

export function controlSettings(): SettingDoc[] {
  return Object.entries(EnvSchema.shape).map(([name, schema]) => {
    if (!schema.description) throw new Error(`backend/config/env.ts: ${name} has no .describe() text`);
    const unset = schema.safeParse(undefined);
    const value = unset.success ? (unset.data as unknown) : undefined;
    return { name, default: value === undefined ? undefined : String(value), description: schema.description };
  });
}
