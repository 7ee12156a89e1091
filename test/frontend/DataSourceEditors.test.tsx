import type { DataSourceSettings } from '@grafana/data';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ConfigEditor } from '../../src/datasource/ConfigEditor';
import type { DcocDataSource } from '../../src/datasource/datasource';
import { QueryEditor } from '../../src/datasource/QueryEditor';
import type { DcocOptions, DcocQuery } from '../../src/datasource/types';
import { testIds } from '../../src/testIds';
import { detail, service, summary } from './support/fixtures';
import { FakeGrafana } from './support/grafana';

describe('data source config editor', () => {
  it('edits the control service URL and the secret', async () => {
    const options = { jsonData: {}, secureJsonFields: {}, secureJsonData: {} } as unknown as DataSourceSettings<DcocOptions>;
    const onChange = vi.fn();
    render(<ConfigEditor options={options} onOptionsChange={onChange} />);
    await userEvent.type(screen.getByTestId(testIds.datasource.configUrl), 'h');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { controlUrl: 'h' } }));
    await userEvent.type(screen.getByTestId(testIds.datasource.configSecret), 's');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ secureJsonData: { controlSecret: 's' } }));
  });
});

describe('data source query editor', () => {
  it('offers query types and the commons and services the backend knows', async () => {
    new FakeGrafana()
      .install()
      .on('GET', 'commons', { data: { items: [summary('midrc', { name: 'MIDRC' })] } })
      .on('GET', 'commons/midrc', { data: detail('midrc', [service('fence'), service('indexd')]) });
    const onChange = vi.fn();
    const query: DcocQuery = { refId: 'A', queryType: 'services', commons: 'midrc' };
    render(<QueryEditor query={query} onChange={onChange} onRunQuery={vi.fn()} datasource={{} as DcocDataSource} />);
    expect(screen.getByTestId(testIds.datasource.service)).toBeInTheDocument();
    await userEvent.click(screen.getByTestId(testIds.datasource.service).querySelector('input')!);
    await waitFor(() => expect(screen.getByRole('option', { name: 'indexd' })).toBeInTheDocument());
    await userEvent.click(screen.getByRole('option', { name: 'indexd' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'services', commons: 'midrc', service: 'indexd' });
    await userEvent.click(screen.getByTestId(testIds.datasource.commons).querySelector('input')!);
    await waitFor(() => expect(screen.getByRole('option', { name: 'MIDRC (midrc)' })).toBeInTheDocument());
  });
});
