// A new rollout: the target (a saved group or a list of commons), the change
// (release, and template/profile when they change), the waves; then the plan
// with every commons' diff, reviewed before the rollout is started.
import { Alert, Button, Field, Input, RadioButtonGroup, Stack, TextArea } from '@grafana/ui';
import { useState } from 'react';
import type { ApprovalView } from '../../../contracts/policies';
import type { RolloutPlan } from '../../../contracts/rollouts';
import { HeldForApproval } from '../approvals/Held';
import { ErrorAlert } from '../../components/ErrorAlert';
import { type RolloutDraft, usePlanRollout, useStartRollout } from '../../data/useRollouts';
import { testIds } from '../../testIds';

type TargetKind = 'group' | 'commons';

const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s));

/** `initialGroup`: the target to start from (a link from the fleet page's group actions). */
export function NewRollout({ groups, initialGroup, onStarted }: { groups: string[]; initialGroup?: string; onStarted: (id: string) => void }) {
  const [kind, setKind] = useState<TargetKind>(initialGroup || groups.length ? 'group' : 'commons');
  const [group, setGroup] = useState(initialGroup ?? groups[0] ?? '');
  const [commons, setCommons] = useState('');
  const [release, setRelease] = useState('');
  const [template, setTemplate] = useState('');
  const [profile, setProfile] = useState('');
  const [canary, setCanary] = useState('');
  const [waves, setWaves] = useState('2');
  const [maxInFlight, setMaxInFlight] = useState('5');
  const [soak, setSoak] = useState('60');
  const [reason, setReason] = useState('');
  const plan = usePlanRollout();
  const start = useStartRollout();
  const [held, setHeld] = useState<ApprovalView | null>(null);

  const draft = (): RolloutDraft => ({
    target: kind === 'group' ? { group: group.trim() } : { commons: commons.split(/[\s,]+/).filter(Boolean) },
    change: { release: release.trim(), ...(template.trim() ? { template: template.trim() } : {}), ...(profile.trim() ? { profile: profile.trim() } : {}) },
    waves: { ...(canary.trim() ? { canary: canary.trim() } : {}), waves: num(waves), maxInFlight: num(maxInFlight) ?? 5, soakSeconds: num(soak) ?? 60 },
    ...(reason.trim() ? { reason: reason.trim() } : {}),
  });
  const p: RolloutPlan | undefined = plan.data;

  return (
    <div data-testid={testIds.rollouts.form}>
      <Field label="Target">
        <RadioButtonGroup<TargetKind> options={[{ label: 'Group', value: 'group' }, { label: 'Commons', value: 'commons' }]} value={kind} onChange={setKind} />
      </Field>
      {kind === 'group' ? (
        <Field label="Group" description={groups.length ? `Saved groups: ${groups.join(', ')}` : 'No saved group yet (see Groups)'}>
          <Input value={group} onChange={(e) => setGroup(e.currentTarget.value)} data-testid={testIds.rollouts.group} />
        </Field>
      ) : (
        <Field label="Commons" description="Commons ids, separated by commas or spaces">
          <Input value={commons} onChange={(e) => setCommons(e.currentTarget.value)} data-testid={testIds.rollouts.commons} />
        </Field>
      )}
      <Stack gap={2}>
        <Field label="Release">
          <Input value={release} placeholder="2026.08" onChange={(e) => setRelease(e.currentTarget.value)} data-testid={testIds.rollouts.release} />
        </Field>
        <Field label="Template" description="Blank: each commons keeps its own">
          <Input value={template} onChange={(e) => setTemplate(e.currentTarget.value)} />
        </Field>
        <Field label="Profile" description="Blank: each commons keeps its own">
          <Input value={profile} onChange={(e) => setProfile(e.currentTarget.value)} />
        </Field>
      </Stack>
      <Stack gap={2}>
        <Field label="Canary" description="Blank: the first commons">
          <Input value={canary} onChange={(e) => setCanary(e.currentTarget.value)} />
        </Field>
        <Field label="Waves after the canary">
          <Input type="number" value={waves} onChange={(e) => setWaves(e.currentTarget.value)} />
        </Field>
        <Field label="Max in flight">
          <Input type="number" value={maxInFlight} onChange={(e) => setMaxInFlight(e.currentTarget.value)} />
        </Field>
        <Field label="Soak (seconds)">
          <Input type="number" value={soak} onChange={(e) => setSoak(e.currentTarget.value)} data-testid={testIds.rollouts.soak} />
        </Field>
      </Stack>
      <Button onClick={() => plan.mutate(draft())} disabled={plan.isPending} data-testid={testIds.rollouts.plan}>
        Plan
      </Button>
      {plan.error && <ErrorAlert error={plan.error} action="Planning the rollout" />}
      {p && (
        <div data-testid={testIds.rollouts.planView}>
          <h4>
            {p.commons.length} commons in {p.waves.length} waves, at most {p.maxInFlight} at once, each soaking {p.soakSeconds}s
            {p.alertGate ? ' with no alert firing' : ' (health only: no Alertmanager configured)'}
          </h4>
          {p.waves.map((w) => (
            <div key={w.wave} data-testid={testIds.rollouts.planWave(w.wave)}>
              <strong>{w.wave === 1 ? 'Wave 1 (canary)' : `Wave ${w.wave}`}:</strong> {w.commons.join(', ')}
            </div>
          ))}
          {p.commons.map((c) => (
            <details key={c.commons} data-testid={testIds.rollouts.planCommons(c.commons)}>
              <summary>
                {c.commons} (wave {c.wave}): {c.release.from ?? '?'} → {c.release.to}, {c.diff.changes.length} value changes
                {c.services.length ? `; images change for ${c.services.join(', ')}` : ''}
              </summary>
              {c.warnings.map((w) => (
                <Alert key={w} severity="warning" title={w} />
              ))}
              <pre>{c.diff.text || 'No change'}</pre>
            </details>
          ))}
          <Field label="Reason" description="Goes in every revision and the audit log">
            <TextArea value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-testid={testIds.rollouts.reason} />
          </Field>
          <Button
            variant="primary"
            disabled={!reason.trim() || start.isPending}
            onClick={() => start.mutate(draft(), { onSuccess: (r) => ('rollout' in r ? onStarted(r.rollout.id) : setHeld(r.approval)) })}
            data-testid={testIds.rollouts.start}
          >
            Start rollout
          </Button>
          {start.error && <ErrorAlert error={start.error} action="Starting the rollout" />}
          {held && <HeldForApproval approval={held} onRemove={() => setHeld(null)} />}
        </div>
      )}
    </div>
  );
}
