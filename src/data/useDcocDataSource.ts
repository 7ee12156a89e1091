// The DCOC data source instance, whose backend relays the control service's events over Grafana Live.
import { getDataSourceSrv } from '@grafana/runtime';
import { useMemo } from 'react';
import { DATASOURCE_PLUGIN_ID } from '../constants';

export function useDcocDataSourceUid(): string | undefined {
  return useMemo(() => {
    try {
      return getDataSourceSrv().getList({ pluginId: DATASOURCE_PLUGIN_ID })[0]?.uid;
    } catch {
      return undefined;
    }
  }, []);
}
