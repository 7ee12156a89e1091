import type { AppPluginMeta } from '@grafana/data';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AppConfig, type AppConfigProps, type AppSettings } from '../../src/components/AppConfig';
import { testIds } from '../../src/testIds';
import { FakeGrafana } from './support/grafana';

function renderConfig(meta: Partial<AppPluginMeta<AppSettings>>) {
  const props = { plugin: { meta: { id: 'gen3-dcoc-app', enabled: true, pinned: true, jsonData: {}, ...meta } }, query: {} } as unknown as AppConfigProps;
  return render(<AppConfig {...props} />);
}

describe('app configuration page', () => {
  it('saves the URL, the secret (write-only) and the role mapping', async () => {
    const g = new FakeGrafana().install().on('POST', '/api/plugins/gen3-dcoc-app/settings', { data: {} });
    renderConfig({});
    expect(screen.getByTestId(testIds.config.save)).toBeDisabled();
    await userEvent.type(screen.getByTestId(testIds.config.controlUrl), 'http://dcoc-control:8470');
    await userEvent.type(screen.getByTestId(testIds.config.secret), 'a-secret-of-32-characters-000000');
    await userEvent.click(screen.getByTestId(testIds.config.save));
    await waitFor(() => expect(g.callsTo('POST', '/api/plugins/gen3-dcoc-app/settings')).toHaveLength(1));
    expect(g.callsTo('POST', '/api/plugins/gen3-dcoc-app/settings')[0].body).toEqual({
      enabled: true,
      pinned: true,
      jsonData: { controlUrl: 'http://dcoc-control:8470', roleMapping: { Viewer: 'viewer', Editor: 'operator', Admin: 'admin' } },
      secureJsonData: { controlSecret: 'a-secret-of-32-characters-000000' },
    });
    expect(await screen.findByText('Settings saved')).toBeInTheDocument();
  });

  it('keeps a configured secret unless it is reset', async () => {
    const g = new FakeGrafana().install().on('POST', '/api/plugins/gen3-dcoc-app/settings', { data: {} });
    renderConfig({ jsonData: { controlUrl: 'http://x:8470', roleMapping: { Editor: 'developer' } }, secureJsonFields: { controlSecret: true } });
    await userEvent.click(screen.getByTestId(testIds.config.save));
    await waitFor(() => expect(g.callsTo('POST', '/api/plugins/gen3-dcoc-app/settings')).toHaveLength(1));
    const body = g.callsTo('POST', '/api/plugins/gen3-dcoc-app/settings')[0].body as Record<string, unknown>;
    expect(body.secureJsonData).toBeUndefined();
    expect(body.jsonData).toMatchObject({ roleMapping: { Editor: 'developer' } });
  });

  it('tests the connection through the app backend health check', async () => {
    new FakeGrafana().install().on('GET', '/api/plugins/gen3-dcoc-app/health', { data: { status: 'OK', message: 'control service 0.1.0 reachable; assertion accepted' } });
    renderConfig({ jsonData: { controlUrl: 'http://x:8470' }, secureJsonFields: { controlSecret: true } });
    await userEvent.click(screen.getByTestId(testIds.config.test));
    const result = await screen.findByTestId(testIds.config.testResult);
    expect(result).toHaveTextContent('Connected to the control service');
    expect(result).toHaveTextContent('assertion accepted');
  });

  it('reports a failed connection test with what to do', async () => {
    new FakeGrafana().install().on('GET', '/api/plugins/gen3-dcoc-app/health', { status: 503, data: { status: 'ERROR', message: 'control service refused the shared secret' } });
    renderConfig({});
    await userEvent.click(screen.getByTestId(testIds.config.test));
    const result = await screen.findByTestId(testIds.config.testResult);
    expect(result).toHaveTextContent('Cannot reach the control service');
    expect(result).toHaveTextContent('refused the shared secret');
  });
});
