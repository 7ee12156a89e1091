// An admin sets a commons' labels, one key=value per line; the automatic
// labels (commons, environment) are shown but cannot be set.
import { Button, Combobox, Field, Stack, TextArea } from '@grafana/ui';
import { useState } from 'react';
import type { CommonsSummary } from '../../../contracts/api';
import { AUTOMATIC_LABELS } from '../../../contracts/groups';
import { ErrorAlert } from '../../components/ErrorAlert';
import { usePutLabels } from '../../data/useGroups';
import { testIds } from '../../testIds';

const isAutomatic = (k: string) => (AUTOMATIC_LABELS as readonly string[]).includes(k);

function customText(c: CommonsSummary | undefined): string {
  return Object.entries(c?.labels ?? {})
    .filter(([k]) => !isAutomatic(k))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

/** key=value lines; an error naming the line it cannot read. */
export function parseLabelLines(text: string): { labels?: Record<string, string>; error?: string } {
  const labels: Record<string, string> = {};
  const lines = text.split('\n').map((l) => l.trim());
  for (const [i, line] of lines.entries()) {
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { error: `line ${i + 1}: write key=value` };
    labels[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { labels };
}

export function LabelsEditor({ fleet }: { fleet: readonly CommonsSummary[] }) {
  const [id, setId] = useState<string | null>(null);
  const [text, setText] = useState('');
  const put = usePutLabels();
  const chosen = fleet.find((c) => c.id === id);
  const parsed = parseLabelLines(text);
  return (
    <div data-testid={testIds.groups.labelsEditor}>
      <Field label="Commons">
        <Combobox
          options={fleet.map((c) => ({ label: c.name, value: c.id, description: c.hostname }))}
          value={id}
          onChange={(o) => {
            setId(o?.value ?? null);
            setText(customText(fleet.find((c) => c.id === o?.value)));
            put.reset();
          }}
          placeholder="Choose a commons"
        />
      </Field>
      {chosen && (
        <>
          <p>
            Set by DCOC: commons={chosen.id}, environment={chosen.environment}
          </p>
          <Field label="Labels" description="One key=value per line: program, tier, region, anything." invalid={!!parsed.error} error={parsed.error}>
            <TextArea rows={5} value={text} onChange={(e) => setText(e.currentTarget.value)} data-testid={testIds.groups.labelsText} />
          </Field>
          {put.error && <ErrorAlert error={put.error} action="Saving the labels" />}
          <Stack gap={1}>
            <Button disabled={!parsed.labels || put.isPending} onClick={() => parsed.labels && put.mutate({ id: chosen.id, labels: parsed.labels })} data-testid={testIds.groups.labelsSave}>
              Save labels
            </Button>
            {put.isSuccess && <span>Saved</span>}
          </Stack>
        </>
      )}
    </div>
  );
}
