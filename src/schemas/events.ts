// Events relayed from the control service's stream through Grafana Live.
import { z } from 'zod';
import { deploymentState, serviceProgress } from './deployments';

export const dcocEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('commons.status'), id: z.number().optional(), at: z.string().optional(), commons: z.string(), status: z.string(), previous: z.string() }),
  z.object({
    type: z.literal('service.status'),
    id: z.number().optional(),
    at: z.string().optional(),
    commons: z.string(),
    service: z.string(),
    status: z.string(),
    previous: z.string(),
    reason: z.string(),
  }),
  z.object({ type: z.literal('agent.connected'), id: z.number().optional(), at: z.string().optional(), commons: z.string(), agent: z.string() }),
  z.object({ type: z.literal('agent.disconnected'), id: z.number().optional(), at: z.string().optional(), commons: z.string(), agent: z.string(), reason: z.string() }),
  z.object({
    type: z.literal('command.updated'),
    id: z.number().optional(),
    at: z.string().optional(),
    commons: z.string(),
    command: z.string(),
    kind: z.string(),
    service: z.string().nullable(),
    state: z.string(),
    message: z.string(),
    percent: z.number(),
  }),
  z.object({ type: z.enum(['commons.added', 'commons.removed']), id: z.number().optional(), at: z.string().optional(), commons: z.string() }),
  z.object({
    type: z.literal('deployment.updated'),
    id: z.number().optional(),
    at: z.string().optional(),
    commons: z.string(),
    deployment: z.string(),
    revision: z.number(),
    state: deploymentState,
    message: z.string(),
    percent: z.number(),
    services: z.array(serviceProgress),
  }),
]);
export type DcocEvent = z.infer<typeof dcocEvent>;
