// The app's configuration page: where the control service is, the secret
// shared with it (write-only), how Grafana org roles map to DCOC roles, and
// a connection test through the app backend's health check.
import type { AppPluginMeta, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Combobox, Field, FieldSet, Input, SecretInput, Stack } from '@grafana/ui';
import { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { remedy, toApiError } from '../api/errors';
import { PLUGIN_ID } from '../constants';
import { testIds } from '../testIds';

type DcocRole = 'viewer' | 'developer' | 'operator' | 'admin' | 'none';
type OrgRole = 'Viewer' | 'Editor' | 'Admin';

export interface AppSettings {
  controlUrl?: string;
  roleMapping?: Partial<Record<OrgRole, DcocRole>>;
}

export type AppConfigProps = PluginConfigPageProps<AppPluginMeta<AppSettings>>;

const DEFAULT_MAPPING: Record<OrgRole, DcocRole> = { Viewer: 'viewer', Editor: 'operator', Admin: 'admin' };
const ROLE_OPTIONS = (['none', 'viewer', 'developer', 'operator', 'admin'] as const).map((r) => ({ label: r, value: r }));

async function saveSettings(meta: PluginMeta, jsonData: AppSettings, secret: string | null) {
  await lastValueFrom(
    getBackendSrv().fetch({
      url: `/api/plugins/${PLUGIN_ID}/settings`,
      method: 'POST',
      data: { enabled: true, pinned: meta.pinned ?? true, jsonData, ...(secret !== null ? { secureJsonData: { controlSecret: secret } } : {}) },
      showSuccessAlert: false,
      showErrorAlert: false,
    }),
  );
}

type TestResult = { ok: boolean; message: string };

async function testConnection(): Promise<TestResult> {
  try {
    const r = await lastValueFrom(getBackendSrv().fetch<{ status?: string; message?: string }>({ url: `/api/plugins/${PLUGIN_ID}/health`, showErrorAlert: false }));
    return { ok: r.data.status === 'OK', message: r.data.message ?? r.data.status ?? 'no answer' };
  } catch (err) {
    const e = toApiError(err);
    return { ok: false, message: `${e.detail || e.title}. ${remedy(e)}` };
  }
}

export function AppConfig({ plugin }: AppConfigProps) {
  const { jsonData, secureJsonFields } = plugin.meta;
  const [controlUrl, setControlUrl] = useState(jsonData?.controlUrl ?? '');
  const [mapping, setMapping] = useState<Record<OrgRole, DcocRole>>({ ...DEFAULT_MAPPING, ...jsonData?.roleMapping });
  const [secretSet, setSecretSet] = useState(Boolean(secureJsonFields?.controlSecret));
  const [secret, setSecret] = useState('');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [test, setTest] = useState<TestResult | null>(null);
  const [testing, setTesting] = useState(false);

  const urlValid = /^https?:\/\/\S+$/.test(controlUrl.trim());
  const canSave = urlValid && (secretSet || secret.length >= 16);

  const onSave = async () => {
    setSaving(true);
    setSaveError(null);
    setSaved(false);
    try {
      await saveSettings(plugin.meta, { controlUrl: controlUrl.trim(), roleMapping: mapping }, secretSet ? null : secret);
      setSecretSet(true);
      setSecret('');
      setSaved(true);
    } catch (err) {
      setSaveError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <div data-testid={testIds.config.page}>
      <FieldSet label="Control service">
        <Field label="URL" description="The DCOC control service's HTTP API, as the Grafana server reaches it." invalid={controlUrl !== '' && !urlValid} error="An http:// or https:// URL">
          <Input width={60} value={controlUrl} placeholder="http://dcoc-control:8470" onChange={(e) => setControlUrl(e.currentTarget.value)} data-testid={testIds.config.controlUrl} />
        </Field>
        <Field label="Shared secret" description="The control service's DCOC_PLUGIN_SECRET (at least 16 characters). Stored encrypted; never shown again.">
          <SecretInput
            width={60}
            value={secret}
            isConfigured={secretSet}
            onChange={(e) => setSecret(e.currentTarget.value)}
            onReset={() => {
              setSecretSet(false);
              setSecret('');
            }}
            data-testid={testIds.config.secret}
          />
        </Field>
      </FieldSet>
      <FieldSet label="Role mapping">
        <p>Used where Grafana&apos;s fine-grained RBAC is not available: which DCOC role each Grafana org role gets.</p>
        {(Object.keys(DEFAULT_MAPPING) as OrgRole[]).map((org) => (
          <Field key={org} label={org}>
            <div data-testid={testIds.config.roleMapping(org)} style={{ width: 200 }}>
              <Combobox options={ROLE_OPTIONS} value={mapping[org]} onChange={(o) => setMapping((prev) => ({ ...prev, [org]: o.value }))} />
            </div>
          </Field>
        ))}
      </FieldSet>
      {saveError !== null && (
        <Alert severity="error" title="Saving the settings failed">
          {toApiError(saveError).detail} {remedy(toApiError(saveError))}
        </Alert>
      )}
      {saved && <Alert severity="success" title="Settings saved" />}
      {test && (
        <Alert severity={test.ok ? 'success' : 'error'} title={test.ok ? 'Connected to the control service' : 'Cannot reach the control service'} data-testid={testIds.config.testResult}>
          {test.message}
        </Alert>
      )}
      <Stack gap={2}>
        <Button disabled={!canSave || saving} onClick={() => void onSave()} data-testid={testIds.config.save}>
          {saving ? 'Saving…' : 'Save settings'}
        </Button>
        <Button
          variant="secondary"
          disabled={testing}
          onClick={() => {
            setTesting(true);
            // testConnection answers failures as a result; it does not reject.
            void testConnection().then((result) => {
              setTest(result);
              setTesting(false);
            });
          }}
          data-testid={testIds.config.test}
        >
          {testing ? 'Testing…' : 'Test connection'}
        </Button>
      </Stack>
    </div>
  );
}
