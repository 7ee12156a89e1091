// The look of the app's data tables (services, agents, audit, deployments,
// revisions): one definition, so they stay alike.
import type { CSSObject } from '@emotion/css/create-instance';
import type { GrafanaTheme2 } from '@grafana/data';

export function dataTable(theme: GrafanaTheme2, verticalAlign: 'top' | 'middle' = 'top'): CSSObject {
  return {
    width: '100%',
    borderCollapse: 'collapse',
    background: theme.colors.background.primary,
    'th, td': { padding: theme.spacing(1, 1.5), borderBottom: `1px solid ${theme.colors.border.weak}`, textAlign: 'left', verticalAlign },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  };
}
