// Grafana core sets the PluginPage component through a setter that
// @grafana/runtime exports only internally; the host bundle aliases this
// name to that module (see bundle.ts).
declare module 'grafana-runtime-internal/plugin-page' {
  import type { ComponentType } from 'react';
  import type { PluginPageProps } from '@grafana/runtime';
  export function setPluginPage(component: ComponentType<PluginPageProps>): void;
}
