// Renders the app root at a URL the way Grafana mounts an app: under /a/<app id>/*.
import type { AppRootProps } from '@grafana/data';
import { render, screen, waitFor } from '@testing-library/react';
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

// A Grafana Modal moves focus into itself on the next animation frame
// (floating-ui's FloatingFocusManager) unless a field in it already has focus.
// Typing before that frame lands in a field that then loses focus, and on a
// loaded machine the frame comes late: wait for focus to settle in the dialog.
export async function findDialog(): Promise<HTMLElement> {
  const dialog = await screen.findByRole('dialog');
  await waitFor(() => {
    if (!dialog.contains(document.activeElement)) throw new Error('focus is not in the dialog yet');
  });
  return dialog;
}
