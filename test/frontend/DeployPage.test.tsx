import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { testIds } from '../../src/testIds';
import { whoami } from './support/fixtures';
import { FakeGrafana } from './support/grafana';
import { renderApp } from './support/render';

describe('deploy page', () => {
  it('says plainly that deploying comes in a later release', async () => {
    const g = new FakeGrafana().install().on('GET', 'whoami', { data: whoami('operator') });
    renderApp('/a/gen3-dcoc-app/deploy');
    expect(await screen.findByTestId(testIds.deploy.notice)).toHaveTextContent('Deploying is not available yet');
    expect(screen.getByTestId(testIds.deploy.notice)).toHaveTextContent('comes in a later release of DCOC');
    // Nothing to call yet.
    expect(g.calls.filter((c) => c.method !== 'GET')).toHaveLength(0);
  });

  it('sends unknown app paths to the fleet page', async () => {
    new FakeGrafana().install().on('GET', 'whoami', { data: whoami('viewer') }).on('GET', 'commons', 'pending');
    renderApp('/a/gen3-dcoc-app/nowhere');
    expect(await screen.findByTestId(testIds.fleet.page)).toBeInTheDocument();
  });
});
