// Open agent streams, one per commons. The command service sends through
// here; the gateway adds and removes sessions as streams open and close.
import type { ControlMessage } from '../../contracts/agent-messages';

export interface AgentSession {
  agentId: string;
  commonsId: string;
  /** What the agent said it can do in its hello (inspect:logs, executor:restart, ...). */
  capabilities?: string[];
  version?: string;
  send(msg: ControlMessage): boolean;
  close(reason: string): void;
}

export class AgentSessions {
  private readonly byCommons = new Map<string, AgentSession>();

  add(s: AgentSession): void {
    const previous = this.byCommons.get(s.commonsId);
    if (previous && previous !== s) previous.close('replaced by a newer connection of the same commons');
    this.byCommons.set(s.commonsId, s);
  }

  remove(s: AgentSession): boolean {
    if (this.byCommons.get(s.commonsId) !== s) return false;
    this.byCommons.delete(s.commonsId);
    return true;
  }

  forCommons(commonsId: string): AgentSession | undefined {
    return this.byCommons.get(commonsId);
  }

  forAgent(agentId: string): AgentSession | undefined {
    return [...this.byCommons.values()].find((s) => s.agentId === agentId);
  }

  commonsIds(): string[] {
    return [...this.byCommons.keys()];
  }

  get size(): number {
    return this.byCommons.size;
  }

  closeAll(reason: string): void {
    for (const s of this.byCommons.values()) s.close(reason);
    this.byCommons.clear();
  }
}
