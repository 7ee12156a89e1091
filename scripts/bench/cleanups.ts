// What a bench run must undo (processes, the throwaway database), undone in
// reverse order at the end of the run, on failure, and on Ctrl-C.
export class Cleanups {
  private readonly steps: { label: string; fn: () => Promise<void> }[] = [];

  push(label: string, fn: () => Promise<void>): void {
    this.steps.push({ label, fn });
  }

  /** Runs every step, last pushed first; a failing step is reported and the rest still run. */
  async run(): Promise<void> {
    for (let s = this.steps.pop(); s; s = this.steps.pop()) {
      try {
        await s.fn();
      } catch (e) {
        console.error(`bench cleanup "${s.label}" failed: ${(e as Error).message}`);
      }
    }
  }
}
