// Entry point of the nested data source (dist/datasource/module.js, AMD).
import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './ConfigEditor';
import { DcocDataSource } from './datasource';
import { QueryEditor } from './QueryEditor';
import type { DcocOptions, DcocQuery, DcocSecureOptions } from './types';

export const plugin = new DataSourcePlugin<DcocDataSource, DcocQuery, DcocOptions, DcocSecureOptions>(DcocDataSource).setConfigEditor(ConfigEditor).setQueryEditor(QueryEditor);
