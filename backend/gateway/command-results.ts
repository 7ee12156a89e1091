// What an agent may report as a command's result, checked at the gateway
// before it is stored: a JSON object of bounded size, and for a deploy the
// per-service progress the deployment views read. An agent is input like any
// client; one broken or hostile agent must not leave a row that every later
// read of history fails on.
import { z } from 'zod';

/** Larger than any real result (a deploy of every Gen3 service is a few KiB). */
export const MAX_RESULT_BYTES = 64 * 1024;
const MAX_MESSAGE_CHARS = 2000;

const serviceProgress = z.object({
  name: z.string().max(253),
  from: z.string().max(1024).nullable(),
  to: z.string().max(1024),
  state: z.enum(['pending', 'rolling', 'done', 'failed']),
  updated: z.number().int().min(0),
  ready: z.number().int().min(0),
  desired: z.number().int().min(0),
  message: z.string().max(MAX_MESSAGE_CHARS),
});

const RESULT_SCHEMAS: Record<string, z.ZodType> = {
  deploy: z.looseObject({ services: z.array(serviceProgress).max(200) }),
};
const anyObject = z.record(z.string(), z.unknown());

export type CheckedResult = { ok: true; json: string } | { ok: false; why: string };

/** The result as it may be stored, or why it may not. */
export function checkResult(kind: string, resultJson: string): CheckedResult {
  if (Buffer.byteLength(resultJson) > MAX_RESULT_BYTES) return { ok: false, why: `result_json is larger than ${MAX_RESULT_BYTES} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(resultJson);
  } catch {
    return { ok: false, why: 'result_json is not JSON' };
  }
  const parsed = anyObject.safeParse(value);
  if (!parsed.success) return { ok: false, why: 'result_json is not a JSON object' };
  const schema = RESULT_SCHEMAS[kind];
  const checked = schema?.safeParse(value);
  if (checked && !checked.success) {
    const issue = checked.error.issues[0];
    return { ok: false, why: `result_json of a ${kind} command: ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  return { ok: true, json: JSON.stringify(value) };
}

/** A progress message as stored: bounded, one line. */
export function boundedMessage(message: string): string {
  const oneLine = String(message ?? '').replace(/[\r\n]+/g, ' ');
  return oneLine.length > MAX_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_MESSAGE_CHARS - 1)}…` : oneLine;
}

/** A percentage as stored: a whole number from 0 to 100. */
export function boundedPercent(percent: number): number {
  return Number.isFinite(percent) ? Math.min(100, Math.max(0, Math.round(percent))) : 0;
}
