// Results of finished commands, kept on disk until the control service
// acknowledges them. A repeated command is answered from here without being
// run again; results the control service missed are resent on reconnect.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileDurably } from '../core/durable-file';
import type { CommandUpdateMsg } from './client';

interface Entry {
  update: CommandUpdateMsg;
  acked: boolean;
}

const KEEP = 1000;

export class Journal {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly file: string | null) {
    if (file && existsSync(file)) {
      for (const e of JSON.parse(readFileSync(file, 'utf8')) as Entry[]) this.entries.set(e.update.command_id, e);
    }
  }

  finished(commandId: string): CommandUpdateMsg | undefined {
    return this.entries.get(commandId)?.update;
  }

  /** Durable before it returns: only then is the result sent. */
  recordFinal(update: CommandUpdateMsg): void {
    this.entries.set(update.command_id, { update, acked: false });
    this.trim();
    this.flush();
  }

  unacknowledged(): CommandUpdateMsg[] {
    return [...this.entries.values()].filter((e) => !e.acked).map((e) => e.update);
  }

  ack(commandId: string): void {
    const e = this.entries.get(commandId);
    if (!e || e.acked) return;
    e.acked = true;
    this.flush();
  }

  private trim(): void {
    if (this.entries.size <= KEEP) return;
    for (const [id, e] of this.entries) {
      if (this.entries.size <= KEEP) break;
      if (e.acked) this.entries.delete(id);
    }
  }

  private flush(): void {
    if (this.file) writeFileDurably(this.file, JSON.stringify([...this.entries.values()]));
  }
}
