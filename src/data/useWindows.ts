// Maintenance and deny windows: reading them (with their runs), the operators'
// and admins' changes, and the schedule preview the form shows as a cron
// expression is typed.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WindowSpecInput } from '../../contracts/windows';
import { ROUTES } from '../../contracts/routes';
import { request } from '../api/client';

const WINDOWS = ['windows'] as const;

export function useWindows() {
  // Runs start and end on the control service's clock: read again often enough to show it.
  return useQuery({ queryKey: WINDOWS, queryFn: () => request(ROUTES.listWindows).then((r) => r.items), refetchInterval: 15_000 });
}

export function useSaveWindow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, spec }: { id?: string; spec: WindowSpecInput }) => (id ? request(ROUTES.replaceWindow, { params: { id }, body: spec }) : request(ROUTES.createWindow, { body: spec })),
    onSuccess: () => qc.invalidateQueries({ queryKey: WINDOWS }),
  });
}

export function useDeleteWindow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request(ROUTES.deleteWindow, { params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: WINDOWS }),
  });
}

/** The next starts of `cron` in `timeZone`; off until the expression has its five fields. */
export function useSchedulePreview(cron: string, timeZone: string, durationMinutes: number) {
  const ready = cron.trim().split(/\s+/).length === 5 && durationMinutes >= 1;
  return useQuery({
    queryKey: ['windows', 'preview', cron.trim(), timeZone, durationMinutes] as const,
    queryFn: () => request(ROUTES.previewSchedule, { query: { cron: cron.trim(), timeZone, durationMinutes, count: 5 } }),
    enabled: ready,
    placeholderData: keepPreviousData,
    retry: false,
  });
}
