// Data source settings: the control service URL and the shared secret (write-only).
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, Input, SecretInput } from '@grafana/ui';
import { testIds } from '../testIds';
import type { DcocOptions, DcocSecureOptions } from './types';

export function ConfigEditor({ options, onOptionsChange }: DataSourcePluginOptionsEditorProps<DcocOptions, DcocSecureOptions>) {
  const url = options.jsonData.controlUrl ?? '';
  return (
    <>
      <Field label="Control service URL" description="The DCOC control service's HTTP API, as the Grafana server reaches it." invalid={url !== '' && !/^https?:\/\//.test(url)} error="An http:// or https:// URL">
        <Input
          width={60}
          value={url}
          placeholder="http://dcoc-control:8470"
          onChange={(e) => onOptionsChange({ ...options, jsonData: { ...options.jsonData, controlUrl: e.currentTarget.value } })}
          data-testid={testIds.datasource.configUrl}
        />
      </Field>
      <Field label="Shared secret" description="The control service's DCOC_PLUGIN_SECRET. Stored encrypted; never shown again.">
        <SecretInput
          width={60}
          isConfigured={Boolean(options.secureJsonFields?.controlSecret)}
          value={options.secureJsonData?.controlSecret ?? ''}
          onChange={(e) => onOptionsChange({ ...options, secureJsonData: { ...options.secureJsonData, controlSecret: e.currentTarget.value } })}
          onReset={() =>
            onOptionsChange({
              ...options,
              secureJsonFields: { ...options.secureJsonFields, controlSecret: false },
              secureJsonData: { ...options.secureJsonData, controlSecret: '' },
            })
          }
          data-testid={testIds.datasource.configSecret}
        />
      </Field>
    </>
  );
}
