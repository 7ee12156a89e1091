// The fleet and one commons, as the control service returns them.
import { z } from 'zod';
import type { CommonsDetail, CommonsSummary, ServiceView } from '../../contracts/api';
import { isoDate, itemsOf, status } from './common';

const agentRef = z.object({
  id: z.string().nullable(),
  connected: z.boolean(),
  lastSeen: isoDate.nullable(),
  version: z.string().nullable(),
  deployMethod: z.string().nullable(),
});

const base = {
  id: z.string(),
  name: z.string(),
  hostname: z.string(),
  environment: z.string(),
  namespace: z.string(),
  status,
  version: z.string(),
  agent: agentRef,
};

export const commonsSummary = z.object({
  ...base,
  services: z.object({ total: z.number(), healthy: z.number(), down: z.number() }),
  config: z.object({ revision: z.number() }),
}) satisfies z.ZodType<CommonsSummary>;

export const fleetResponse = itemsOf(commonsSummary);

export const serviceView = z.object({
  name: z.string(),
  status,
  deployment: z.string(),
  desiredReplicas: z.number(),
  readyReplicas: z.number(),
  updatedReplicas: z.number(),
  image: z.string(),
  version: z.string(),
  reason: z.string(),
  restartedAt: isoDate.nullable(),
  restartCount: z.number(),
  rollout: z.string().nullable(),
  gitopsOwner: z.string().nullable().default(null),
  health: z
    .object({
      url: z.string(),
      httpStatus: z.number(),
      latencyMs: z.number(),
      checkedAt: isoDate.nullable(),
      ok: z.boolean(),
      detail: z.string(),
    })
    .nullable(),
}) satisfies z.ZodType<ServiceView>;

// Config data is only sent to developers and up, so it may be missing.
export const commonsDetail = z.object({
  ...base,
  services: z.array(serviceView),
  config: z.object({ revision: z.number(), data: z.record(z.string(), z.string()).default({}) }),
}) satisfies z.ZodType<CommonsDetail>;

export const configRevision = z.object({
  revision: z.number(),
  author: z.string(),
  createdAt: isoDate,
  state: z.string(),
  commandId: z.string().nullable(),
  data: z.record(z.string(), z.string()),
});
export const configRevisionsResponse = itemsOf(configRevision);

export type ConfigRevision = z.infer<typeof configRevision>;
