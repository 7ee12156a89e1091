// Create or replace a window: what it targets, when (a cron expression read
// in a time zone, with a preview of the next runs there, or once), why, and
// for a maintenance window what it does while it lasts. Deny windows are
// offered to admins only (freeze:write).
import { Alert, Button, Checkbox, Combobox, Field, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import { useState } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useGroups } from '../../data/useGroups';
import { useSaveWindow, useSchedulePreview } from '../../data/useWindows';
import { testIds } from '../../testIds';
import { type WindowDraft, specOf } from './windowDraft';

const TIME_ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')].map((z) => ({ label: z, value: z }));

export function WindowEditor({ draft, canFreeze, onDone }: { draft: WindowDraft; canFreeze: boolean; onDone: () => void }) {
  const [d, setD] = useState(draft);
  const set = (patch: Partial<WindowDraft>) => setD((prev) => ({ ...prev, ...patch }));
  const groups = useGroups();
  const save = useSaveWindow();
  const preview = useSchedulePreview(d.scheduleKind === 'cron' ? d.cron : '', d.timeZone, Number(d.durationMinutes) || 0);
  const kinds = [{ label: 'Maintenance', value: 'maintenance' as const }, ...(canFreeze || d.kind === 'deny' ? [{ label: 'Deny (change freeze)', value: 'deny' as const }] : [])];
  const submit = () => save.mutate({ id: d.id, spec: specOf(d) }, { onSuccess: onDone });
  return (
    <div data-testid={testIds.maintenance.editor}>
      <Field label="Name">
        <Input value={d.name} onChange={(e) => set({ name: e.currentTarget.value })} data-testid={testIds.maintenance.name} placeholder="Sunday patching" />
      </Field>
      <Field label="Kind">
        <RadioButtonGroup options={kinds} value={d.kind} onChange={(kind) => set({ kind })} />
      </Field>
      <Field label="Target" description="A saved group (its commons when the window starts or a change is checked), or commons by id.">
        <Stack direction="column" gap={1}>
          <RadioButtonGroup options={[{ label: 'Group', value: 'group' as const }, { label: 'Commons', value: 'commons' as const }]} value={d.targetKind} onChange={(targetKind) => set({ targetKind })} />
          {d.targetKind === 'group' ? (
            <Combobox options={(groups.data ?? []).map((g) => ({ label: g.name, value: g.name, description: `${g.commons.length} commons` }))} value={d.group || null} onChange={(o) => set({ group: o.value })} placeholder="pick a group" />
          ) : (
            <Input value={d.commons} onChange={(e) => set({ commons: e.currentTarget.value })} data-testid={testIds.maintenance.commons} placeholder="data-midrc-org, healdata-org" />
          )}
        </Stack>
      </Field>
      <Field label="Schedule">
        <RadioButtonGroup options={[{ label: 'Repeats (cron)', value: 'cron' as const }, { label: 'Once', value: 'once' as const }]} value={d.scheduleKind} onChange={(scheduleKind) => set({ scheduleKind })} />
      </Field>
      <Field label="Time zone" description="The cron expression is read on this zone's wall clock, across daylight-saving changes.">
        <div data-testid={testIds.maintenance.timeZone}>
          <Combobox options={TIME_ZONES} value={d.timeZone} onChange={(o) => set({ timeZone: o.value })} />
        </div>
      </Field>
      {d.scheduleKind === 'cron' ? (
        <>
          <Field label="Cron expression" description="minute hour day-of-month month day-of-week: 0 2 * * sun is 02:00 every Sunday.">
            <Input value={d.cron} onChange={(e) => set({ cron: e.currentTarget.value })} data-testid={testIds.maintenance.cron} />
          </Field>
          <Field label="Lasts (minutes)">
            <Input type="number" min={1} value={d.durationMinutes} onChange={(e) => set({ durationMinutes: e.currentTarget.value })} data-testid={testIds.maintenance.duration} />
          </Field>
          <div data-testid={testIds.maintenance.preview}>
            {preview.error ? (
              <Alert severity="warning" title="This schedule cannot be used">
                {(preview.error as { data?: { detail?: string } }).data?.detail ?? (preview.error as Error).message}
              </Alert>
            ) : preview.data ? (
              <>
                <strong>Next runs in {preview.data.timeZone}:</strong>
                <ul>
                  {preview.data.items.map((o) => (
                    <li key={o.start}>
                      {o.localStart} → {o.localEnd}
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              'Type the five fields to see the next runs.'
            )}
          </div>
        </>
      ) : (
        <Stack gap={2}>
          <Field label="Start" description="ISO 8601 with an offset: 2026-12-24T18:00:00Z">
            <Input value={d.start} onChange={(e) => set({ start: e.currentTarget.value })} data-testid={testIds.maintenance.start} />
          </Field>
          <Field label="End">
            <Input value={d.end} onChange={(e) => set({ end: e.currentTarget.value })} data-testid={testIds.maintenance.end} />
          </Field>
        </Stack>
      )}
      <Field label="Reason" description="Shown in refusals, in the silence and in the audit log.">
        <Input value={d.reason} onChange={(e) => set({ reason: e.currentTarget.value })} data-testid={testIds.maintenance.reason} />
      </Field>
      {d.kind === 'maintenance' ? (
        <>
          <Stack direction="column" gap={1}>
            <Checkbox label="Silence the commons' alerts while it lasts (Alertmanager)" value={d.silence} onChange={(e) => set({ silence: e.currentTarget.checked })} />
            <Checkbox
              label="Maintenance mode: revproxy serves the maintenance page (global.maintenanceMode, a values revision at the start and at the end)"
              value={d.maintenanceMode}
              onChange={(e) => set({ maintenanceMode: e.currentTarget.checked })}
              data-testid={testIds.maintenance.maintenanceMode}
            />
          </Stack>
          <Field label="At the start: restart services" description="Comma-separated: fence, indexd.">
            <Input value={d.restart} onChange={(e) => set({ restart: e.currentTarget.value })} data-testid={testIds.maintenance.restart} />
          </Field>
          <Field label="At the start: run a Job from a CronJob">
            <Input value={d.runJob} onChange={(e) => set({ runJob: e.currentTarget.value })} placeholder="usersync" />
          </Field>
          <Field label="At the start: deploy a release" description="The commons' current overrides, with this release.">
            <Input value={d.deployRelease} onChange={(e) => set({ deployRelease: e.currentTarget.value })} placeholder="2026.07" />
          </Field>
        </>
      ) : (
        <Checkbox label="An admin may override it with a reason (audited)" value={d.allowOverride} onChange={(e) => set({ allowOverride: e.currentTarget.checked })} />
      )}
      {save.error && <ErrorAlert error={save.error} action="Saving the window" />}
      <Stack gap={1}>
        <Button onClick={submit} disabled={!d.name.trim() || !d.reason.trim() || save.isPending} data-testid={testIds.maintenance.save}>
          Save window
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </Stack>
    </div>
  );
}
