// A failed call as a Grafana alert: what happened (the server's words) and what to do.
import { Alert } from '@grafana/ui';
import { remedy, toApiError } from '../api/errors';
import { testIds } from '../testIds';

export function ErrorAlert({ error, action, onRetry }: { error: unknown; action?: string; onRetry?: () => void }) {
  const e = toApiError(error);
  const title = action ? `${action} failed: ${e.title}` : e.title;
  return (
    <Alert
      severity="error"
      title={title}
      data-testid={testIds.state.error}
      onRemove={onRetry}
      buttonContent={onRetry ? 'Retry' : undefined}
    >
      {e.detail && <div>{e.detail}</div>}
      {e.fields.length > 0 && (
        <ul>
          {e.fields.map((f) => (
            <li key={f.field}>
              {f.field}: {f.message}
            </li>
          ))}
        </ul>
      )}
      <div>{remedy(e)}</div>
    </Alert>
  );
}
