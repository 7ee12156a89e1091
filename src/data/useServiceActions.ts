// Restart and scale: each starts a command; the commands list picks it up at once.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { resource, seg } from '../api/resources';
import { commandAccepted, scaleAccepted } from '../schemas/commands';
import { keys } from './keys';

export function useRestartService(commons: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (service: string) => resource(`commons/${seg(commons)}/services/${seg(service)}/restart`, commandAccepted, { method: 'POST', body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.commands(commons) }),
  });
}

export function useScaleService(commons: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ service, replicas }: { service: string; replicas: number }) =>
      resource(`commons/${seg(commons)}/services/${seg(service)}/scale`, scaleAccepted, { method: 'POST', body: { replicas } }),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: keys.commands(commons) }), qc.invalidateQueries({ queryKey: keys.deployments(commons) })]),
  });
}
