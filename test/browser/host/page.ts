// The HTML page the host serves for every Grafana URL: boot data first (as
// Grafana's index.html does), the host script, then SystemJS with its AMD
// extra; the host starts once the page has loaded.
import type { HostBoot } from './boot-data';

export function hostPage(boot: HostBoot): string {
  const json = JSON.stringify(boot).replace(/</g, '\\u003c');
  const bootData = JSON.stringify({
    settings: { appSubUrl: '', buildInfo: { version: '13.1.1', env: 'production' }, featureToggles: {} },
    user: { login: boot.user.login, name: boot.user.name, orgRole: boot.user.orgRole, isSignedIn: true, theme: 'dark', permissions: Object.fromEntries(boot.actions.map((a) => [a, true])) },
    navTree: [],
    assets: { dark: '', light: '' },
  }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Grafana (DCOC test host)</title>
<script>window.__DCOC_HOST__ = ${json}; window.grafanaBootData = ${bootData}; window.__grafana_public_path__ = '/public/';</script>
<!-- The host bundle first: its UMD packages (lodash, …) must not see SystemJS's AMD define(). -->
<script src="/__host/host.js"></script>
<script src="/__host/system.js"></script>
<script src="/__host/amd.js"></script>
</head>
<body class="theme-dark">
<div id="grafana-root"></div>
</body>
</html>`;
}
