// Step 1 of the deploy wizard: which commons (an existing one, or a new one
// by hostname and environment), template, profile, release, optional
// overrides and the reason. Server-side field errors show on their fields.
import { css } from '@emotion/css';
import type { Dispatch, SetStateAction } from 'react';
import type { GrafanaTheme2 } from '@grafana/data';
import { Combobox, Field, Input, RadioButtonGroup, TextArea, useStyles2 } from '@grafana/ui';
import type { CommonsSummary, ProfileView, ReleaseView, RevisionSummary, TemplateView } from '../../../contracts/api';
import type { ApiError } from '../../api/errors';
import { Empty } from '../../components/QueryState';
import { testIds } from '../../testIds';
import { effectiveBlueprint, type DeployInput, type Missing, serverFieldErrors } from './deployInput';

const TARGETS = [
  { label: 'Existing commons', value: 'existing' as const },
  { label: 'New commons', value: 'new' as const },
];

export interface DeployFormProps {
  input: DeployInput;
  /** Takes an update of the previous input: two changes before a re-render (a Combobox
   *  reports its choice an effect later) must not undo each other. */
  onChange: Dispatch<SetStateAction<DeployInput>>;
  fleet: CommonsSummary[];
  releases: ReleaseView[];
  templates: TemplateView[];
  profiles: ProfileView[];
  /** The chosen commons' latest revision (undefined: none, or not known yet). */
  latest: RevisionSummary | undefined;
  revisionsLoading: boolean;
  missing: Missing;
  /** Whether to show what is missing (after the user tried to plan). */
  showMissing: boolean;
  serverError: ApiError | undefined;
}

export function DeployForm({ input, onChange, fleet, releases, templates, profiles, latest, revisionsLoading, missing, showMissing, serverError }: DeployFormProps) {
  const s = useStyles2(styles);
  const set = (patch: Partial<DeployInput>) => onChange((prev) => ({ ...prev, ...patch }));
  const problem = (local: keyof Missing | undefined, ...fields: string[]) => {
    const server = fields.map((f) => serverFieldErrors(serverError, f)).filter(Boolean).join('; ');
    return server || (showMissing && local ? missing[local] : undefined);
  };
  const chosen = fleet.find((c) => c.id === input.commons);
  const blueprint = effectiveBlueprint(input, latest);
  const fromRevision = input.target === 'existing' && latest ? `revision ${latest.revision}` : undefined;

  const commonsError = problem('commons', 'body.commons');
  const hostnameError = problem('hostname', 'body.newCommons.hostname');
  const environmentError = problem('environment', 'body.newCommons.environment');
  const nameError = problem(undefined, 'body.newCommons.name', 'body.newCommons.namespace');
  const templateError = problem('template', 'body.template');
  const profileError = problem('profile', 'body.profile');
  const releaseError = problem('release', 'body.release');
  // A broken overrides text is shown at once; the server's messages after a plan.
  const overridesError = problem(undefined, 'body.overrides') ?? (input.overrides.trim() ? missing.overrides : undefined);
  const reasonError = problem(undefined, 'body.reason');

  return (
    <div className={s.form} data-testid={testIds.deploy.form}>
      <div data-testid={testIds.deploy.target}>
        <Field label="Deploy to">
          <RadioButtonGroup options={TARGETS} value={input.target} onChange={(target) => set({ target, template: null, profile: null })} />
        </Field>
      </div>
      {input.target === 'existing' ? (
        fleet.length === 0 ? (
          <Empty message="No commons to deploy to yet">Choose &quot;New commons&quot; to stand one up; it appears in the fleet once its agent connects.</Empty>
        ) : (
          <div data-testid={testIds.deploy.commons}>
            <Field
              label="Commons"
              description={chosen ? `${chosen.hostname} · ${chosen.environment} · now on release ${chosen.version || 'unknown'}` : 'The commons to upgrade or change'}
              invalid={!!commonsError}
              error={commonsError}
            >
              <Combobox
                placeholder="Choose a commons"
                options={fleet.map((c) => ({ label: `${c.name} (${c.hostname})`, value: c.id, description: `${c.environment} · release ${c.version || 'unknown'}` }))}
                value={input.commons}
                onChange={(o) => set({ commons: o.value, template: null, profile: null })}
              />
            </Field>
          </div>
        )
      ) : (
        <div className={s.row}>
          <Field label="Hostname" description="The commons' DNS name, e.g. data.example.org" invalid={!!hostnameError} error={hostnameError}>
            <Input value={input.hostname} placeholder="data.example.org" onChange={(e) => set({ hostname: e.currentTarget.value })} data-testid={testIds.deploy.hostname} />
          </Field>
          <Field label="Environment" description="The Gen3 environment name, e.g. exampleprod" invalid={!!environmentError} error={environmentError}>
            <Input value={input.environment} placeholder="exampleprod" onChange={(e) => set({ environment: e.currentTarget.value })} data-testid={testIds.deploy.environment} />
          </Field>
          <Field label="Name" description="Optional display name" invalid={!!nameError} error={nameError}>
            <Input value={input.name} placeholder="Example Commons" onChange={(e) => set({ name: e.currentTarget.value })} data-testid={testIds.deploy.name} />
          </Field>
        </div>
      )}
      <div className={s.row}>
        <div data-testid={testIds.deploy.template}>
          <Field
            label="Template"
            description={
              fromRevision && !input.template ? `As ${fromRevision}: ${latest?.template}` : revisionsLoading ? 'Looking up the current revision…' : 'Which Gen3 services the commons runs'
            }
            invalid={!!templateError}
            error={templateError}
          >
            <Combobox
              placeholder="Choose a template"
              options={templates.map((t) => ({ label: t.name, value: t.name, description: t.description }))}
              value={blueprint.template}
              onChange={(o) => set({ template: o.value })}
            />
          </Field>
        </div>
        <div data-testid={testIds.deploy.profile}>
          <Field
            label="Profile"
            description={fromRevision && !input.profile ? `As ${fromRevision}: ${latest?.profile}` : 'Replicas, autoscaling and their bounds'}
            invalid={!!profileError}
            error={profileError}
          >
            <Combobox
              placeholder="Choose a profile"
              options={profiles.map((p) => ({ label: p.name, value: p.name, description: p.description }))}
              value={blueprint.profile}
              onChange={(o) => set({ profile: o.value })}
            />
          </Field>
        </div>
        <div data-testid={testIds.deploy.release}>
          <Field label="Release" description={chosen ? `${chosen.name} runs ${chosen.version || 'an unknown release'} now` : 'The Gen3 release (YYYY.MM)'} invalid={!!releaseError} error={releaseError}>
            <Combobox
              placeholder="Choose a release"
              options={releases.map((r) => ({
                label: r.name ? `${r.version} (${r.name})` : r.version,
                value: r.version,
                description: `${r.source}${chosen && r.version === chosen.version ? ' · current' : ''}`,
              }))}
              value={input.release}
              onChange={(o) => set({ release: o.value })}
            />
          </Field>
        </div>
      </div>
      <Field
        label="Overrides (optional)"
        description={`gen3-helm values merged over the rendered ones, as YAML or JSON; maps merge, null removes a key.${fromRevision ? ` Empty keeps ${fromRevision}'s overrides.` : ''}`}
        invalid={!!overridesError}
        error={overridesError}
      >
        <TextArea
          rows={4}
          className={s.mono}
          value={input.overrides}
          placeholder={'fence:\n  replicaCount: 3'}
          onChange={(e) => set({ overrides: e.currentTarget.value })}
          data-testid={testIds.deploy.overrides}
        />
      </Field>
      <Field label="Reason" description="Required to apply: it goes in the revision, the audit log and the GitOps commit." invalid={!!reasonError} error={reasonError}>
        <Input value={input.reason} placeholder="e.g. monthly upgrade to 2026.07" onChange={(e) => set({ reason: e.currentTarget.value })} data-testid={testIds.deploy.reason} />
      </Field>
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  form: css({ maxWidth: 1100 }),
  row: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(240px, 1fr))', columnGap: theme.spacing(2) }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
