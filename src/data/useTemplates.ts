// Deployment templates: which Gen3 services a commons runs.
import { useQuery } from '@tanstack/react-query';
import { resource } from '../api/resources';
import { templatesResponse } from '../schemas/deployments';
import { keys } from './keys';

export function useTemplates(enabled = true) {
  return useQuery({ queryKey: keys.templates, queryFn: () => resource('templates', templatesResponse).then((r) => r.items), enabled, staleTime: 300_000 });
}
