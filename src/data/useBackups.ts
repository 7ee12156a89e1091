// A commons' database backups: the list (polled while one is under way),
// "Back up now" for operators and a restore for admins.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BackupList } from '../../contracts/backups';
import { ROUTES } from '../../contracts/routes';
import { request } from '../api/client';
import { keys } from './keys';

const underWay = (l: BackupList | undefined) => l?.items.some((b) => b.status === 'queued' || b.status === 'running') ?? false;

export function useBackups(id: string) {
  return useQuery({
    queryKey: keys.backups(id),
    queryFn: () => request(ROUTES.listBackups, { params: { id } }),
    refetchInterval: (q) => (underWay(q.state.data as BackupList | undefined) ? 3_000 : 30_000),
  });
}

export function useBackUpNow(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => request(ROUTES.createBackup, { params: { id }, body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.backups(id) }),
  });
}

export function useRestoreBackup(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ backupId, service, secret, reason }: { backupId: string; service: string; secret?: string; reason: string }) =>
      request(ROUTES.restoreBackup, { params: { id, backupId }, body: { service, reason, ...(secret ? { secret } : {}) } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.commands(id) }),
  });
}
