// The app's root page: one query cache for the app, and a route per page.
import type { AppRootProps } from '@grafana/data';
import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { ROUTES } from '../constants';
import { createQueryClient } from '../data/queryClient';
import { AgentsPage } from '../pages/AgentsPage';
import { AuditPage } from '../pages/AuditPage';
import { ApprovalsPage } from '../pages/approvals/ApprovalsPage';
import { CommonsPage } from '../pages/CommonsPage';
import { DeployPage } from '../pages/DeployPage';
import { FleetPage } from '../pages/FleetPage';
import { GroupsPage } from '../pages/GroupsPage';
import { MaintenancePage } from '../pages/maintenance/MaintenancePage';
import { testIds } from '../testIds';

export function App(_props: AppRootProps) {
  const [client] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client}>
      <div data-testid={testIds.app.root}>
        <Routes>
          <Route path={ROUTES.fleet} element={<FleetPage />} />
          <Route path={`${ROUTES.commons}/:id`} element={<CommonsPage />} />
          <Route path={ROUTES.commons} element={<Navigate to={`../${ROUTES.fleet}`} replace />} />
          <Route path={ROUTES.deploy} element={<DeployPage />} />
          <Route path={ROUTES.agents} element={<AgentsPage />} />
          <Route path={ROUTES.audit} element={<AuditPage />} />
          <Route path={ROUTES.approvals} element={<ApprovalsPage />} />
          <Route path={ROUTES.groups} element={<GroupsPage />} />
          <Route path={ROUTES.maintenance} element={<MaintenancePage />} />
          <Route path="*" element={<Navigate to={ROUTES.fleet} replace />} />
        </Routes>
      </div>
    </QueryClientProvider>
  );
}
