// Deployment templates: which Gen3 services a commons runs.
import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { ROUTES } from '../../contracts/routes';
import { keys } from './keys';

export function useTemplates(enabled = true) {
  return useQuery({ queryKey: keys.templates, queryFn: () => request(ROUTES.listTemplates).then((r) => r.items), enabled, staleTime: 300_000 });
}
