// Which member of AgentMessage's oneof `body` a message carries. The generated
// type has one optional field per member (contracts/pb/agent.ts).
import type { AgentMessage, AgentMessageBody } from '../../contracts/agent-messages';

/** Every member, in field order; a Record, so the compiler rejects a list that misses one. */
const MEMBERS: Record<AgentMessageBody, true> = { hello: true, heartbeat: true, snapshot: true, delta: true, metrics: true, command_update: true, log_chunk: true, inspect_result: true };

/**
 * The member the message carries, or undefined for none. Should a sender put
 * several on the wire, the last in field order counts, as it did when
 * @grpc/proto-loader decoded the stream.
 */
export function bodyOf(msg: AgentMessage): AgentMessageBody | undefined {
  let body: AgentMessageBody | undefined;
  for (const m of Object.keys(MEMBERS) as AgentMessageBody[]) if (msg[m] != null) body = m;
  return body;
}
