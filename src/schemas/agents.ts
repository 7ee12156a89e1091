// Agents and the one-time answer to making an enrollment token.
import { z } from 'zod';
import type { AgentView } from '../../contracts/api';
import { isoDate, itemsOf } from './common';

export const agentView = z.object({
  id: z.string(),
  commons: z.string().nullable(),
  hostname: z.string().nullable(),
  connected: z.boolean(),
  lastSeen: isoDate.nullable(),
  version: z.string().nullable(),
  certificateSerial: z.string(),
  certificateExpiresAt: isoDate,
  revoked: z.boolean(),
  enrolledAt: isoDate,
}) satisfies z.ZodType<AgentView>;

export const agentsResponse = itemsOf(agentView);

export const enrollmentToken = z.object({
  id: z.string(),
  token: z.string(),
  expiresAt: isoDate,
  caCertificate: z.string(),
  installCommand: z.string(),
});
export type EnrollmentToken = z.infer<typeof enrollmentToken>;
