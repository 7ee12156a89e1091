// Create or replace a saved group: a name, a selector typed as kubectl writes
// it (tier=production,region in (us-east-1)), and a description; the commons
// it would pick are shown before saving.
import { Button, Field, Input, Stack } from '@grafana/ui';
import { useMemo, useState } from 'react';
import { type LabelSelector, parseSelector, selectorMatches } from '../../../contracts/groups';
import type { CommonsSummary } from '../../../contracts/api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { usePutGroup } from '../../data/useGroups';
import { testIds } from '../../testIds';

export interface GroupDraft {
  name: string;
  selectorText: string;
  description: string;
}

export const EMPTY_DRAFT: GroupDraft = { name: '', selectorText: '', description: '' };

export function GroupEditor({ draft, fleet, onDone }: { draft: GroupDraft; fleet: readonly CommonsSummary[]; onDone: () => void }) {
  const [d, setD] = useState(draft);
  const put = usePutGroup();
  const parsed = useMemo((): { selector?: LabelSelector; error?: string } => {
    try {
      return { selector: parseSelector(d.selectorText) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [d.selectorText]);
  const picks = parsed.selector ? fleet.filter((c) => selectorMatches(parsed.selector!, c.labels ?? {})).map((c) => c.id) : [];
  const save = () => {
    if (!parsed.selector) return;
    put.mutate({ name: d.name.trim(), spec: { description: d.description, selector: parsed.selector } }, { onSuccess: onDone });
  };
  return (
    <div data-testid={testIds.groups.editor}>
      <Field label="Name" description="A DNS label: lower-case letters, digits and -.">
        <Input value={d.name} onChange={(e) => setD({ ...d, name: e.currentTarget.value })} data-testid={testIds.groups.name} placeholder="production" />
      </Field>
      <Field label="Selector" description="As kubectl writes it: tier=production,region in (us-east-1,us-west-2),!legacy. Empty: every commons." invalid={!!parsed.error} error={parsed.error}>
        <Input value={d.selectorText} onChange={(e) => setD({ ...d, selectorText: e.currentTarget.value })} data-testid={testIds.groups.selector} placeholder="tier=production" />
      </Field>
      <Field label="Description">
        <Input value={d.description} maxLength={500} onChange={(e) => setD({ ...d, description: e.currentTarget.value })} />
      </Field>
      <p data-testid={testIds.groups.preview}>{parsed.selector ? `Picks ${picks.length} commons now${picks.length ? `: ${picks.join(', ')}` : ''}` : 'Fix the selector to see what it picks'}</p>
      {put.error && <ErrorAlert error={put.error} action="Saving the group" />}
      <Stack gap={1}>
        <Button onClick={save} disabled={!parsed.selector || !d.name.trim() || put.isPending} data-testid={testIds.groups.save}>
          Save group
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </Stack>
    </div>
  );
}
