// Restart one service on every commons of a group shown on the fleet page:
// pick a service (those the commons run), say why, and each commons is asked
// in turn (a few at a time); each one's answer shows on its own line: the
// command started, waiting for approval (a policy holds it), or the refusal
// with the control service's words. Commons the caller may not operate on, or
// that do not run the service, are listed as skipped, never called.
import { Alert, Button, Combobox, Field, Input, Modal } from '@grafana/ui';
import { useMemo, useState } from 'react';
import type { CommonsSummary } from '../../../contracts/api';
import type { ApprovalView } from '../../../contracts/policies';
import { toApiError, type ApiError } from '../../api/errors';
import { pageUrl, ROUTES } from '../../constants';
import { useServicesOf } from '../../data/useCommons';
import { mapLimit } from '../../data/mapLimit';
import { useRestartServiceOn } from '../../data/useServiceActions';
import { testIds } from '../../testIds';
import { heldText } from '../approvals/Held';

/** How many restarts are asked at once. */
const RESTART_CONCURRENCY = 3;

type Outcome =
  | { state: 'queued' }
  | { state: 'running' }
  | { state: 'started'; command: string }
  | { state: 'held'; approval: ApprovalView }
  | { state: 'refused'; error: ApiError }
  | { state: 'skipped'; why: string };

function outcomeText(o: Outcome): string {
  switch (o.state) {
    case 'queued':
      return 'Waiting its turn';
    case 'running':
      return 'Asking…';
    case 'started':
      return `Restart started (command ${o.command})`;
    case 'held':
      return heldText(o.approval);
    case 'refused':
      return `Refused: ${o.error.title}${o.error.detail ? `: ${o.error.detail}` : ''}${o.error.fields.map((f) => ` (${f.field}: ${f.message})`).join('')}`;
    case 'skipped':
      return `Skipped: ${o.why}`;
  }
}

export function GroupRestart({ group, commons, mayRestart, onDismiss }: { group: string; commons: CommonsSummary[]; mayRestart: (id: string) => boolean; onDismiss: () => void }) {
  // The commons as they were when the dialog opened: a refresh of the fleet does not change what is restarted.
  const [targets] = useState(commons);
  const ids = useMemo(() => targets.map((c) => c.id), [targets]);
  const services = useServicesOf(ids, true);
  const restart = useRestartServiceOn();
  const [service, setService] = useState('');
  const [reason, setReason] = useState('');
  const [outcomes, setOutcomes] = useState<Record<string, Outcome> | null>(null);
  const running = !!outcomes && Object.values(outcomes).some((o) => o.state === 'queued' || o.state === 'running');

  const runs = useMemo(() => new Map((services.data ?? []).map((s) => [s.commons, s])), [services.data]);
  const options = useMemo(() => {
    const count = new Map<string, number>();
    for (const s of services.data ?? []) for (const name of s.services ?? []) count.set(name, (count.get(name) ?? 0) + 1);
    return [...count.keys()].sort().map((name) => ({ label: name, value: name, description: `run by ${count.get(name)} of ${targets.length} commons` }));
  }, [services.data, targets.length]);
  const unread = (services.data ?? []).filter((s) => s.error);

  /** Why a commons is not asked, or null when it is. */
  const skip = (id: string): string | null => {
    if (!mayRestart(id)) return 'your role does not allow restarts on this commons';
    const known = runs.get(id)?.services;
    if (known && !known.includes(service)) return `it does not run ${service}`;
    return null;
  };
  const asked = service ? targets.filter((c) => !skip(c.id)) : [];

  const start = async () => {
    const why = reason.trim();
    const chosen = service;
    const initial: Record<string, Outcome> = {};
    for (const c of targets) {
      const s = skip(c.id);
      initial[c.id] = s ? { state: 'skipped', why: s } : { state: 'queued' };
    }
    setOutcomes(initial);
    const set = (id: string, o: Outcome) => setOutcomes((prev) => ({ ...prev, [id]: o }));
    await mapLimit(
      targets.filter((c) => initial[c.id].state === 'queued'),
      RESTART_CONCURRENCY,
      async (c) => {
        set(c.id, { state: 'running' });
        try {
          const r = await restart.mutateAsync({ commons: c.id, service: chosen, reason: why });
          set(c.id, 'approval' in r ? { state: 'held', approval: r.approval } : { state: 'started', command: r.command.id });
        } catch (e) {
          set(c.id, { state: 'refused', error: toApiError(e) });
        }
      },
    );
  };

  const tally = outcomes ? Object.values(outcomes).reduce<Record<string, number>>((t, o) => ({ ...t, [o.state]: (t[o.state] ?? 0) + 1 }), {}) : {};
  return (
    <Modal title={`Restart a service on group ${group}`} isOpen onDismiss={running ? undefined : onDismiss}>
      <div data-testid={testIds.fleet.groupRestartModal}>
        {!outcomes && (
          <>
            <p>
              A rolling restart of one service on the {targets.length} commons of {group} shown: {targets.map((c) => c.id).join(', ')}.
            </p>
            {services.isPending && <p>Reading the services each commons runs…</p>}
            {unread.length > 0 && (
              <Alert severity="warning" title={`The services of ${unread.length} commons could not be read`}>
                {unread.map((s) => `${s.commons}: ${toApiError(s.error).message}`).join('; ')}. They are asked anyway; one that does not run the service refuses.
              </Alert>
            )}
            <Field label="Service" description="The services the group's commons run">
              <div data-testid={testIds.fleet.groupRestartService}>
                <Combobox options={options} value={service || null} onChange={(o) => setService(o?.value ?? '')} placeholder={services.isPending ? 'loading…' : 'pick a service'} />
              </div>
            </Field>
            <Field label="Reason" description="Goes in every commons' audit log; a policy may require one">
              <Input value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-testid={testIds.fleet.groupRestartReason} />
            </Field>
            {service && (
              <p>
                {asked.length === 0
                  ? `No commons shown is restarted: ${targets.map((c) => `${c.id} (${skip(c.id)})`).join(', ')}.`
                  : `Restarts ${service} on ${asked.map((c) => c.id).join(', ')}${asked.length < targets.length ? `; skips ${targets.filter((c) => skip(c.id)).map((c) => `${c.id} (${skip(c.id)})`).join(', ')}` : ''}.`}
              </p>
            )}
          </>
        )}
        {outcomes && (
          <>
            <p data-testid={testIds.fleet.groupRestartSummary}>
              {running ? `Restarting ${service}…` : `Restart of ${service} asked of ${targets.length - (tally.skipped ?? 0)} commons:`}
              {(['started', 'held', 'refused', 'skipped'] as const)
                .filter((k) => tally[k])
                .map((k) => ` ${tally[k]} ${k === 'held' ? 'waiting for approval' : k}`)
                .join(',')}
            </p>
            <table className="filter-table">
              <tbody>
                {targets.map((c) => (
                  <tr key={c.id} data-testid={testIds.fleet.groupRestartResult(c.id)} data-state={outcomes[c.id]?.state}>
                    <td>{c.id}</td>
                    <td>
                      {outcomes[c.id] ? outcomeText(outcomes[c.id]) : ''}
                      {outcomes[c.id]?.state === 'held' && (
                        <>
                          {' '}
                          <a href={pageUrl(ROUTES.approvals)}>Open approvals</a>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onDismiss} disabled={running}>
            {outcomes ? 'Close' : 'Cancel'}
          </Button>
          {!outcomes && (
            <Button variant="primary" disabled={!service || !reason.trim() || asked.length === 0} onClick={() => void start()} data-testid={testIds.fleet.groupRestartConfirm}>
              {service ? `Restart ${service} on ${asked.length} commons` : 'Restart'}
            </Button>
          )}
        </Modal.ButtonRow>
      </div>
    </Modal>
  );
}
