// Search box and status/environment filters above the fleet table.
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Combobox, Icon, Input, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import type { Dispatch, SetStateAction } from 'react';
import { testIds } from '../../testIds';
import type { FleetFilter } from './filterFleet';

const STATUS_OPTIONS: Array<SelectableValue<FleetFilter['status']>> = [
  { label: 'All', value: 'all' },
  { label: 'Healthy', value: 'healthy' },
  { label: 'Degraded', value: 'degraded' },
  { label: 'Down', value: 'down' },
  { label: 'Unknown', value: 'unknown' },
];

const ALL_ENVIRONMENTS = '__all__';
const ALL_GROUPS = '__all_groups__';

export function FleetFilters({
  filter,
  environments,
  groups,
  onChange,
}: {
  filter: FleetFilter;
  environments: string[];
  /** Saved groups by name, with how many commons each picks. */
  groups: Array<{ name: string; count: number }>;
  onChange: Dispatch<SetStateAction<FleetFilter>>;
}) {
  const s = useStyles2(styles);
  // Updates of the previous filter: a Combobox reports its choice an effect later, after typing may have changed the search.
  const set = (patch: Partial<FleetFilter>) => onChange((prev) => ({ ...prev, ...patch }));
  return (
    <div className={s.bar}>
      <div className={s.search}>
        <Input
          prefix={<Icon name="search" />}
          placeholder="Search by name, hostname, environment, release or label (tier=production)"
          value={filter.search}
          onChange={(e) => set({ search: e.currentTarget.value })}
          data-testid={testIds.fleet.search}
          aria-label="Search commons"
        />
      </div>
      <div data-testid={testIds.fleet.statusFilter}>
        <RadioButtonGroup options={STATUS_OPTIONS} value={filter.status} onChange={(status) => set({ status: status ?? 'all' })} />
      </div>
      <div className={s.env} data-testid={testIds.fleet.environmentFilter}>
        <Combobox
          placeholder="Environment"
          options={[{ label: 'All environments', value: ALL_ENVIRONMENTS }, ...environments.map((e) => ({ label: e, value: e }))]}
          value={filter.environment ?? ALL_ENVIRONMENTS}
          onChange={(o) => set({ environment: !o || o.value === ALL_ENVIRONMENTS ? null : o.value })}
        />
      </div>
      {groups.length > 0 && (
        <div className={s.env} data-testid={testIds.fleet.groupFilter}>
          <Combobox
            placeholder="Group"
            options={[{ label: 'All groups', value: ALL_GROUPS }, ...groups.map((g) => ({ label: g.name, value: g.name, description: `${g.count} commons` }))]}
            value={filter.group ?? ALL_GROUPS}
            onChange={(o) => set({ group: !o || o.value === ALL_GROUPS ? null : o.value })}
          />
        </div>
      )}
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  bar: css({ display: 'flex', gap: theme.spacing(2), alignItems: 'center', flexWrap: 'wrap', marginBottom: theme.spacing(2) }),
  search: css({ flex: '1 1 320px', minWidth: 240 }),
  env: css({ width: 220 }),
});
