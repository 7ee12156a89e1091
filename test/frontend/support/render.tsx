// Renders the app root at a URL the way Grafana mounts an app: under /a/<app id>/*.
import type { AppRootProps } from '@grafana/data';
import { render } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { App } from '../../../src/components/App';

export function renderApp(path: string) {
  const props = { meta: { id: 'gen3-dcoc-app', jsonData: {} }, basename: '/a/gen3-dcoc-app', onNavChanged: () => undefined, query: {}, path: '' } as unknown as AppRootProps;
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/a/gen3-dcoc-app/*" element={<App {...props} />} />
      </Routes>
    </MemoryRouter>,
  );
}
