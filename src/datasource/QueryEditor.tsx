// Query editor: the query type, then commons and service pickers filled from the backend.
import type { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, Input, Text } from '@grafana/ui';
import { testIds } from '../testIds';
import type { DcocDataSource } from './datasource';
import { HEALTH_METRICS, QUERY_TYPE_INFO, QUERY_TYPES, type DcocOptions, type DcocQuery, type QueryType } from './types';
import { usePickerOptions } from './usePickerOptions';

type Props = QueryEditorProps<DcocDataSource, DcocQuery, DcocOptions>;

export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const type: QueryType = query.queryType ?? 'fleet';
  const info = QUERY_TYPE_INFO[type];
  const options = usePickerOptions(query.commons);
  const update = (patch: Partial<DcocQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  return (
    <>
      <InlineFieldRow>
        <InlineField label="Query" labelWidth={12} tooltip={info.description}>
          <div data-testid={testIds.datasource.queryType}>
            <Combobox width={24} options={QUERY_TYPES.map((t) => ({ label: QUERY_TYPE_INFO[t].label, value: t, description: QUERY_TYPE_INFO[t].description }))} value={type} onChange={(o) => update({ queryType: o.value })} />
          </div>
        </InlineField>
        <InlineField label="Commons" labelWidth={12}>
          <div data-testid={testIds.datasource.commons}>
            <Combobox width={32} isClearable placeholder="all commons" options={options.commons} value={query.commons ?? null} onChange={(o) => update({ commons: o?.value, service: undefined })} />
          </div>
        </InlineField>
        {info.usesService && (
          <InlineField label="Service" labelWidth={10} disabled={!query.commons}>
            <div data-testid={testIds.datasource.service}>
              <Combobox width={24} isClearable placeholder="all services" options={options.services} value={query.service ?? null} onChange={(o) => update({ service: o?.value })} />
            </div>
          </InlineField>
        )}
        {type === 'health' && (
          <InlineField label="Metric" labelWidth={10} tooltip="Alert rules need one metric per query">
            <Combobox width={26} isClearable placeholder="all metrics" options={HEALTH_METRICS.map((m) => ({ label: m, value: m }))} value={query.metric ?? null} onChange={(o) => update({ metric: o?.value })} />
          </InlineField>
        )}
        {info.usesLimit && (
          <InlineField label="Limit" labelWidth={8}>
            <Input width={10} type="number" min={1} max={1000} value={query.limit ?? ''} placeholder="100" onChange={(e) => onChange({ ...query, limit: e.currentTarget.value ? Number(e.currentTarget.value) : undefined })} onBlur={onRunQuery} />
          </InlineField>
        )}
      </InlineFieldRow>
      {options.error && <Text color="warning">Could not load the commons list: {options.error}</Text>}
    </>
  );
}
