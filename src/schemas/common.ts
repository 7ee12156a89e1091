// Building blocks shared by the response schemas.
import { z } from 'zod';

export const status = z.enum(['healthy', 'degraded', 'down', 'unknown']);
export const commandState = z.enum(['queued', 'dispatched', 'running', 'succeeded', 'failed', 'expired', 'cancelled']);
export const role = z.enum(['viewer', 'developer', 'operator', 'admin']);
export const isoDate = z.string();
export const record = z.record(z.string(), z.unknown());

/** `{ items: [...] }`, the control service's list envelope. */
export function itemsOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}
