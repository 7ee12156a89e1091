// The four states every page has besides its content: loading, forbidden,
// failed and empty, rendered the same way everywhere.
import { Alert, EmptyState, LoadingPlaceholder } from '@grafana/ui';
import type { ReactElement, ReactNode } from 'react';
import { toApiError } from '../api/errors';
import { testIds } from '../testIds';
import { ErrorAlert } from './ErrorAlert';

export function Loading({ text = 'Loading…' }: { text?: string }) {
  return (
    <div data-testid={testIds.state.loading}>
      <LoadingPlaceholder text={text} />
    </div>
  );
}

export function Forbidden({ what, detail }: { what: string; detail?: string }) {
  return (
    <Alert severity="warning" title={`You may not see ${what}`} data-testid={testIds.state.forbidden}>
      {detail && <div>{detail}</div>}
      <div>Ask a Grafana administrator for a DCOC role that includes it.</div>
    </Alert>
  );
}

export function Empty({ message, children }: { message: string; children?: ReactNode }) {
  return (
    <div data-testid={testIds.state.empty}>
      <EmptyState variant="not-found" message={message}>
        {children}
      </EmptyState>
    </div>
  );
}

interface QueryLike {
  isPending: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** Renders loading, forbidden or error for a query, or null when its data is ready. */
export function queryStateView(q: QueryLike, what: string): ReactElement | null {
  if (q.error) {
    const e = toApiError(q.error);
    if (e.forbidden) return <Forbidden what={what} detail={e.detail} />;
    return <ErrorAlert error={e} action={`Loading ${what}`} onRetry={() => void q.refetch()} />;
  }
  if (q.isPending) return <Loading text={`Loading ${what}…`} />;
  return null;
}
