// What Grafana provides to plugins at run time (its SystemJS shared
// dependencies), so module.js must not bundle them. The same list as
// @grafana/create-plugin's .config/bundler/externals.ts.
import type { Configuration, ExternalItemFunctionData } from 'webpack';

type ExternalsType = Configuration['externals'];

export const externals: ExternalsType = [
  // Required for dynamic publicPath resolution
  { 'amd-module': 'module' },
  'lodash',
  'jquery',
  'moment',
  'slate',
  'emotion',
  '@emotion/react',
  '@emotion/css',
  'prismjs',
  'slate-plain-serializer',
  '@grafana/slate-react',
  'react',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'react-dom',
  'react-redux',
  'redux',
  'rxjs',
  'i18next',
  'react-router',
  'd3',
  'angular',
  /^@grafana\/ui/i,
  /^@grafana\/runtime/i,
  /^@grafana\/data/i,

  // Legacy SDK imports ("grafana/app/...") resolve to Grafana's own modules.
  ({ request }: ExternalItemFunctionData, callback: (error?: Error, result?: string) => void) => {
    const prefix = 'grafana/';
    if (request && request.indexOf(prefix) === 0) {
      return callback(undefined, request.slice(prefix.length));
    }
    callback();
  },
];

/** The module names above that are plain strings (the browser test host provides each of them). */
export const EXTERNAL_NAMES = [
  'lodash',
  '@emotion/react',
  '@emotion/css',
  'react',
  'react/jsx-runtime',
  'react-dom',
  'rxjs',
  'i18next',
  'react-router',
  '@grafana/ui',
  '@grafana/runtime',
  '@grafana/data',
];
