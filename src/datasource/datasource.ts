// The DCOC data source in the browser: queries go to its backend
// (/api/ds/query → QueryData); empty-type queries are not sent.
import type { DataSourceInstanceSettings } from '@grafana/data';
import { DataSourceWithBackend } from '@grafana/runtime';
import type { DcocOptions, DcocQuery } from './types';

export class DcocDataSource extends DataSourceWithBackend<DcocQuery, DcocOptions> {
  constructor(settings: DataSourceInstanceSettings<DcocOptions>) {
    super(settings);
  }

  getDefaultQuery(): Partial<DcocQuery> {
    return { queryType: 'fleet' };
  }

  filterQuery(query: DcocQuery): boolean {
    return !query.hide && !!query.queryType;
  }
}
