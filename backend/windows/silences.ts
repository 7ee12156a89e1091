// A maintenance window's silence: one per occurrence, matching its commons
// by the `commons` label every DCOC alert carries (provisioning/prometheus/
// dcoc-alerts.yml), created by "dcoc" with a comment naming the window, and
// ending with the occurrence (expired early when the window is cancelled).
import type { Alertmanager } from '../alerting/alertmanager';
import type { Span } from './schedule';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class WindowSilences {
  constructor(private readonly am: Pick<Alertmanager, 'createSilence' | 'expireSilence'>) {}

  /** Creates the silence; its id. */
  create(window: { id: string; name: string; reason: string }, span: Span, commons: string[], nowMs = Date.now()): Promise<string> {
    return this.am.createSilence({
      // Alertmanager anchors regex matchers: this matches exactly these ids.
      matchers: [{ name: 'commons', value: commons.map(escapeRegex).join('|'), isRegex: true }],
      startsAt: new Date(Math.max(nowMs, span.startMs)).toISOString(),
      endsAt: new Date(span.endMs).toISOString(),
      createdBy: 'dcoc',
      comment: `DCOC maintenance window "${window.name}" (${window.id}): ${window.reason}`.slice(0, 1000),
    });
  }

  expire(id: string): Promise<void> {
    return this.am.expireSilence(id);
  }
}
