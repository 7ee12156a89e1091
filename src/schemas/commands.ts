// Commands (restart, scale, config) and the answer to starting one.
import { z } from 'zod';
import type { CommandView } from '../../contracts/api';
import { commandState, isoDate, itemsOf, record } from './common';

export const commandView = z.object({
  id: z.string(),
  kind: z.enum(['restart', 'scale', 'config']),
  commons: z.string(),
  service: z.string().nullable(),
  target: record,
  state: commandState,
  message: z.string(),
  percent: z.number(),
  actor: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
  deadline: isoDate,
  attempts: z.number(),
  result: record.nullable(),
  progress: z.array(z.object({ at: isoDate, state: commandState, message: z.string(), percent: z.number() })),
}) satisfies z.ZodType<CommandView>;

export const commandsResponse = itemsOf(commandView);

export const commandAccepted = z.object({
  command: z.object({ id: z.string(), state: commandState, kind: z.string() }),
});
export type CommandAccepted = z.infer<typeof commandAccepted>;

/** A scale: a command, or where ArgoCD owns the commons a deployment (a revision committed to GitOps). */
export const scaleAccepted = z.union([commandAccepted, z.object({ deployment: z.object({ id: z.string(), state: z.string() }) })]);
