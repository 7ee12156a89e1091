// The browser side of the test host: plays Grafana's frontend for the
// plugin. It provides the real React, @grafana/* and friends to SystemJS
// under the names module.js declares as AMD dependencies (Grafana's shared
// dependencies), sets up Grafana's runtime services, loads the BUILT
// dist/module.js with SystemJS as Grafana does, and renders the app under
// /a/<app id>/* and its configuration page under /plugins/<app id>.
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as GrafanaData from '@grafana/data';
import type { AppPlugin, AppRootProps, KeyValue } from '@grafana/data';
import * as GrafanaRuntime from '@grafana/runtime';
import * as GrafanaUI from '@grafana/ui';
import i18next from 'i18next';
import * as lodash from 'lodash';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as ReactRouterDom from 'react-router-dom';
import * as rxjs from 'rxjs';
import { setPluginPage } from 'grafana-runtime-internal/plugin-page';
import { SideMenu, makePluginPage } from './HostChrome';
import { backendSrv, dataSourceSrv, liveSrv } from './services';

const { BrowserRouter, Navigate, Route, Routes } = ReactRouterDom;

interface SystemJSLike {
  set(id: string, module: object): void;
  addImportMap(map: { imports: Record<string, string> }): void;
  import(url: string): Promise<Record<string, unknown>>;
}

async function main() {
  const boot = window.__DCOC_HOST__;
  const System = (window as unknown as { System: SystemJSLike }).System;

  // Services first: SystemJS copies the module namespaces when they are registered.
  GrafanaRuntime.setBackendSrv(backendSrv());
  GrafanaRuntime.setGrafanaLiveSrv(liveSrv());
  GrafanaRuntime.setDataSourceSrv(dataSourceSrv(boot));
  setPluginPage(makePluginPage(boot));

  const shared: Record<string, object> = {
    react: React,
    'react/jsx-runtime': jsxRuntime,
    'react-dom': ReactDOM,
    '@grafana/data': GrafanaData,
    '@grafana/ui': GrafanaUI,
    '@grafana/runtime': GrafanaRuntime,
    '@emotion/css': emotionCss,
    '@emotion/react': emotionReact,
    // As in Grafana: "react-router" is a v6 react-router-dom, so plugins that bundle react-router-dom share its router.
    'react-router': ReactRouterDom,
    rxjs,
    lodash,
    i18next,
  };
  const imports: Record<string, string> = {};
  for (const [name, mod] of Object.entries(shared)) {
    System.set(`package:${name}`, mod);
    imports[name] = `package:${name}`;
  }
  System.addImportMap({ imports });

  const exported = await System.import(`/public/plugins/${boot.app.id}/module.js`);
  const plugin = exported.plugin as AppPlugin<KeyValue>;
  if (!plugin || !plugin.root) throw new Error('module.js exports no app plugin with a root page');
  const meta = {
    id: boot.app.id,
    name: boot.app.name,
    type: GrafanaData.PluginType.app,
    enabled: true,
    pinned: true,
    jsonData: boot.app.jsonData,
    secureJsonFields: { controlSecret: true },
    baseUrl: `public/plugins/${boot.app.id}`,
    module: `public/plugins/${boot.app.id}/module.js`,
    info: { logos: { small: '', large: '' } },
  } as unknown as AppPlugin['meta'];
  plugin.meta = meta;
  plugin.init(meta);
  const Root = plugin.root as React.ComponentType<AppRootProps>;
  const PluginPage = makePluginPage(boot);

  const AppPage = () => <Root meta={meta} basename={`/a/${boot.app.id}`} onNavChanged={() => undefined} query={{}} path={`/a/${boot.app.id}`} />;
  const ConfigPage = () => {
    const page = plugin.configPages?.[0];
    if (!page) return <div>no configuration page</div>;
    const Body = page.body;
    return (
      <PluginPage pageNav={{ text: `${boot.app.name}: ${page.title}` }}>
        <Body plugin={plugin} query={{}} />
      </PluginPage>
    );
  };

  const theme = GrafanaRuntime.config.theme2;
  createRoot(document.getElementById('grafana-root')!).render(
    <GrafanaUI.ThemeContext.Provider value={theme}>
      <GrafanaUI.GlobalStyles />
      <BrowserRouter>
        <div style={{ display: 'flex', minHeight: '100vh' }}>
          <SideMenu boot={boot} />
          <main style={{ flex: 1, minWidth: 0, display: 'flex' }}>
            <Routes>
              <Route path={`/a/${boot.app.id}/*`} element={<AppPage />} />
              <Route path={`/plugins/${boot.app.id}`} element={<ConfigPage />} />
              <Route path="*" element={<Navigate to={`/a/${boot.app.id}/fleet`} replace />} />
            </Routes>
          </main>
        </div>
        <GrafanaUI.PortalContainer />
      </BrowserRouter>
    </GrafanaUI.ThemeContext.Provider>,
  );
}

window.addEventListener('load', () => {
  main().catch((err: unknown) => {
    const el = document.getElementById('grafana-root');
    if (el) el.textContent = `host failed to load the plugin: ${err instanceof Error ? err.stack : String(err)}`;
    console.error(err);
  });
});
