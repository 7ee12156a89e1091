// Restart and scale: each starts a command; the commands list picks it up at once.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

export function useRestartService(commons: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (service: string) => restartService({ commons, service }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.commands(commons) }),
  });
}

export interface RestartInput {
  commons: string;
  service: string;
  reason?: string;
}

function restartService({ commons, service, reason }: RestartInput) {
  return request(ROUTES.restartService, { params: { id: commons, service }, body: reason ? { reason } : {} });
}

/** Restarts on any commons, one call per mutateAsync (the fleet page's group restart runs several). */
export function useRestartServiceOn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: restartService,
    onSuccess: (_r, v) => qc.invalidateQueries({ queryKey: keys.commands(v.commons) }),
  });
}

export function useScaleService(commons: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ service, replicas }: { service: string; replicas: number }) =>
      request(ROUTES.scaleService, { params: { id: commons, service }, body: { replicas } }),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: keys.commands(commons) }), qc.invalidateQueries({ queryKey: keys.deployments(commons) })]),
  });
}
