// How a commons' agent applies deploys, in the operator's words (AgentRef.deployMethod).
const LABELS: Record<string, string> = {
  'helm-upgrade': 'helm upgrade --install',
  'helm-template': 'helm template + server-side apply',
  images: 'image updates only (server-side apply)',
  simulated: 'the simulation',
};

export function deployMethodLabel(method: string | null): string | null {
  return method ? (LABELS[method] ?? method) : null;
}
