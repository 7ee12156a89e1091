// Whether ArgoCD owns a commons: its agent reports, per Deployment, the
// Application that tracks it (agent/kubernetes/gitops-owner.ts). Under such
// an Application (gen3-gitops sets selfHeal: true) whatever the agent changes
// directly is reverted, so changes must reach the cluster through GitOps.
import type { LiveCommons } from './fleet';

/** The ArgoCD Applications tracking the commons' services, sorted; empty when none does. */
export function argoApplications(c: LiveCommons | undefined): string[] {
  if (!c) return [];
  const apps = new Set<string>();
  for (const s of c.services.values()) if (s.gitopsOwner?.startsWith('argocd:')) apps.add(s.gitopsOwner.slice('argocd:'.length));
  return [...apps].sort();
}

export const argoOwnership = (apps: string[], c: Pick<LiveCommons, 'hostname' | 'namespace'>) =>
  `ArgoCD Application${apps.length > 1 ? 's' : ''} ${apps.join(', ')} own${apps.length > 1 ? '' : 's'} ${c.hostname}${c.namespace ? ` (namespace ${c.namespace})` : ''} and self-heal${apps.length > 1 ? '' : 's'}: a change made in the cluster directly is reverted`;
