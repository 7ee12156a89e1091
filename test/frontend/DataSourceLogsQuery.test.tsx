// The query editor's fields for the logs query (Job, text filter, previous
// container) and kubernetesEvents: what the backend's query model reads
// (plugin/datasource/query-model.ts).
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { DcocDataSource } from '../../src/datasource/datasource';
import { QueryEditor } from '../../src/datasource/QueryEditor';
import { QUERY_TYPES as EDITOR_TYPES, type DcocQuery } from '../../src/datasource/types';
import { QUERY_TYPES as BACKEND_TYPES } from '../../plugin/datasource/query-model';
import { testIds } from '../../src/testIds';
import { detail, service, summary } from './support/fixtures';
import { FakeGrafana } from './support/grafana';

function editor(query: DcocQuery) {
  new FakeGrafana()
    .install()
    .on('GET', 'commons', { data: { items: [summary('midrc', { name: 'MIDRC' })] } })
    .on('GET', 'commons/midrc', { data: detail('midrc', [service('fence')]) });
  const onChange = vi.fn();
  const onRunQuery = vi.fn();
  render(<QueryEditor query={query} onChange={onChange} onRunQuery={onRunQuery} datasource={{} as DcocDataSource} />);
  return { onChange, onRunQuery };
}

describe('data source query editor: logs and Kubernetes events', () => {
  it('offers every query type the backend answers', () => {
    expect([...EDITOR_TYPES].sort()).toEqual([...BACKEND_TYPES].sort());
  });

  it('logs: a text filter, a Job instead of the service, the previous container', async () => {
    const query: DcocQuery = { refId: 'A', queryType: 'logs', commons: 'midrc', service: 'fence' };
    const { onChange, onRunQuery } = editor(query);
    expect(screen.getByTestId(testIds.datasource.service)).toBeInTheDocument();
    await userEvent.type(screen.getByTestId(testIds.datasource.filter), 'x');
    expect(onChange).toHaveBeenLastCalledWith({ ...query, filter: 'x' });
    await userEvent.type(screen.getByTestId(testIds.datasource.job), 'j');
    expect(onChange).toHaveBeenLastCalledWith({ ...query, job: 'j' });
    await userEvent.click(screen.getByTestId(testIds.datasource.previous));
    expect(onChange).toHaveBeenLastCalledWith({ ...query, previous: true });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('kubernetesEvents: a commons is asked for, a service may be picked; no log fields', () => {
    editor({ refId: 'A', queryType: 'kubernetesEvents' });
    expect(screen.getByTestId(testIds.datasource.commons).querySelector('input')).toHaveAttribute('placeholder', 'pick a commons');
    expect(screen.getByTestId(testIds.datasource.service)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.datasource.filter)).not.toBeInTheDocument();
  });
});
