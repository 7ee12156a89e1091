// The change gate's deny-window check: a change to a commons inside a deny
// window (a change freeze) is refused with 409 naming the window and when it
// ends, unless an admin overrides it with a reason, which is audited before
// the change goes ahead. Scheduled changes (a maintenance window's actions)
// are frozen too: a freeze is for everything.
import type { Store } from '../store/store';
import { audit } from '../audit/record';
import type { ChangeCheck, GateDecision, ProposedChange } from '../changes/gate';
import { localTime } from './schedule';
import type { Windows } from './windows';

export class DenyWindowCheck implements ChangeCheck {
  readonly name = 'deny-window';

  constructor(
    private readonly windows: Pick<Windows, 'activeDeny'>,
    private readonly store: Pick<Store, 'appendAudit'>,
    private readonly now: () => number = Date.now,
  ) {}

  async check(change: ProposedChange): Promise<GateDecision> {
    const active = await this.windows.activeDeny(change.commons, this.now());
    if (active.length === 0) return { kind: 'allow' };
    // The freeze that lasts longest is the one to name: overriding it is overriding them all.
    const { window: w, span } = active.reduce((a, b) => (b.span.endMs > a.span.endMs ? b : a));
    const names = active.map((a) => `"${a.window.spec.name}"`).join(', ');
    const until = `${new Date(span.endMs).toISOString()} (${localTime(span.endMs, w.spec.timeZone)})`;
    const what = `${change.commons} is in deny window "${w.spec.name}" (${w.id}) until ${until}: ${w.spec.reason}`;
    const overridable = active.every((a) => a.window.spec.allowOverride);
    if (!change.override) {
      const next = overridable ? `; wait until it ends, or an admin may override it with a reason (override.reason)` : `; wait until it ends (it allows no override)`;
      return { kind: 'refuse', status: 409, rule: this.name, detail: `${what}${next}`, field: 'body.override' };
    }
    if (change.principal.role !== 'admin') {
      return { kind: 'refuse', status: 403, rule: this.name, detail: `${what}; only an admin may override a deny window (you are ${change.principal.role})`, field: 'body.override' };
    }
    if (!overridable) {
      const strict = active.filter((a) => !a.window.spec.allowOverride).map((a) => `"${a.window.spec.name}"`).join(', ');
      return { kind: 'refuse', status: 409, rule: this.name, detail: `${what}; deny window ${strict} allows no override: wait until it ends`, field: 'body.override' };
    }
    // Audited before the change itself is made (the route acts only after the gate allows).
    await audit(this.store as Store, change.principal, {
      action: 'window.override',
      outcome: 'accepted',
      commons: change.commons,
      detail: { windows: active.map((a) => ({ id: a.window.id, name: a.window.spec.name, end: new Date(a.span.endMs).toISOString() })), reason: change.override.reason, change: change.kind, summary: change.summary },
    });
    return { kind: 'allow', notes: [`deny window ${names} overridden by ${change.principal.actor}: ${change.override.reason}`] };
  }
}
