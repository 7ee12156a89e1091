// Query editor: the query type, then commons and service pickers filled from the backend.
import type { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, InlineSwitch, Input, Text } from '@grafana/ui';
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
        <InlineField label="Commons" labelWidth={12} tooltip={info.needsCommons ? 'Required for this query' : undefined}>
          <div data-testid={testIds.datasource.commons}>
            <Combobox width={32} isClearable placeholder={info.needsCommons ? 'pick a commons' : 'all commons'} options={options.commons} value={query.commons ?? null} onChange={(o) => update({ commons: o?.value, service: undefined })} />
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
          <InlineField label="Limit" labelWidth={8} tooltip={type === 'logs' ? 'Lines per pod, at most 5000' : undefined}>
            <Input width={10} type="number" min={1} max={type === 'logs' ? 5000 : 1000} value={query.limit ?? ''} placeholder={type === 'logs' ? '1000' : '100'} onChange={(e) => onChange({ ...query, limit: e.currentTarget.value ? Number(e.currentTarget.value) : undefined })} onBlur={onRunQuery} />
          </InlineField>
        )}
      </InlineFieldRow>
      {type === 'logs' && (
        <InlineFieldRow>
          <InlineField label="Job" labelWidth={12} tooltip="The pods of this Job (a CronJob run) instead of the service's">
            <Input width={32} data-testid={testIds.datasource.job} value={query.job ?? ''} placeholder="a Job name" onChange={(e) => onChange({ ...query, job: e.currentTarget.value || undefined })} onBlur={onRunQuery} />
          </InlineField>
          <InlineField label="Contains" labelWidth={10} tooltip="Only lines containing this text, ignoring case">
            <Input width={30} data-testid={testIds.datasource.filter} value={query.filter ?? ''} placeholder="text in the line" maxLength={200} onChange={(e) => onChange({ ...query, filter: e.currentTarget.value || undefined })} onBlur={onRunQuery} />
          </InlineField>
          <InlineSwitch data-testid={testIds.datasource.previous} label="Previous container" showLabel value={!!query.previous} onChange={(e) => update({ previous: e.currentTarget.checked || undefined })} />
        </InlineFieldRow>
      )}
      {options.error && <Text color="warning">Could not load the commons list: {options.error}</Text>}
    </>
  );
}
