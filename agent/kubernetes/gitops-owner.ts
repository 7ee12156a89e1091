// Which ArgoCD Application, if any, owns a Deployment. Under an Application
// with self-heal (every gen3-gitops Application sets `selfHeal: true`,
// uc-cdis/gen3-gitops bfd0d028 <cluster>/<hostname>/templates/app.yaml) a
// change the agent makes directly (scale, image) is reverted at the next
// reconcile, so the control service routes such changes through GitOps.
//
// ArgoCD marks what it tracks (argo-cd docs, user-guide/resource_tracking):
// - annotation `argocd.argoproj.io/tracking-id: <app>:<group>/<Kind>:<ns>/<name>`
//   (the default since ArgoCD 3.0; also with annotation+label);
// - a custom tracking label, conventionally `argocd.argoproj.io/instance: <app>`;
// - the default label `app.kubernetes.io/instance` (ArgoCD 2.x) is ambiguous:
//   helm sets it to the release name too, and gen3-gitops names the helm
//   release after the Application. There the field manager decides: ArgoCD
//   applies as `argocd-controller` (server-side) or
//   `argocd-application-controller` (client-side), helm as `helm`.
import type { V1Deployment } from '@kubernetes/client-node';

export const TRACKING_ID = 'argocd.argoproj.io/tracking-id';
export const TRACKING_LABEL = 'argocd.argoproj.io/instance';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';
const ARGO_MANAGERS = new Set(['argocd-controller', 'argocd-application-controller']);
/** An Application name as the tracking id carries it (a Kubernetes name, optionally `<namespace>_<name>`). */
const APP_NAME = /^[a-z0-9]([a-z0-9._-]{0,251}[a-z0-9])?$/;

const valid = (app: string | undefined): string | null => (app && APP_NAME.test(app) ? app : null);

/** `argocd:<application>` when ArgoCD tracks the Deployment, else ''. */
export function gitopsOwner(d: Pick<V1Deployment, 'metadata'>): string {
  const m = d.metadata ?? {};
  const tracking = m.annotations?.[TRACKING_ID];
  const app =
    valid(tracking?.slice(0, tracking.indexOf(':') > 0 ? tracking.indexOf(':') : 0)) ??
    valid(m.labels?.[TRACKING_LABEL]) ??
    ((m.managedFields ?? []).some((f) => ARGO_MANAGERS.has(f.manager ?? '')) ? valid(m.labels?.[INSTANCE_LABEL]) ?? 'unknown' : null);
  return app ? `argocd:${app}` : '';
}
