// The gen3-helm umbrella chart's subcharts DCOC deploys, from the one Gen3
// service catalog (agent/gen3/catalog.ts). A chart is what values configure;
// a service is a Deployment the agent reports. They are the same except that
// the fence chart also renders presigned-url-fence with fence's image and
// replica count (gen3-facts.md §2.3).
import { GEN3_SERVICES, type Gen3Service } from '../../agent/gen3/catalog';

const RIDES_ON: Record<string, string> = { 'presigned-url-fence': 'fence' };

export interface Chart {
  name: string;
  /** Image repository without tag, e.g. quay.io/cdis/nginx for revproxy. */
  repository: string;
  defaultEnabled: boolean;
  /** Services (Deployments) this chart renders. */
  services: string[];
}

export const CHARTS: readonly Chart[] = GEN3_SERVICES.filter((s) => !RIDES_ON[s.name]).map((s: Gen3Service) => ({
  name: s.name,
  repository: s.image,
  defaultEnabled: s.defaultEnabled,
  services: [s.name, ...Object.keys(RIDES_ON).filter((k) => RIDES_ON[k] === s.name)],
}));

export const CHART_NAMES: readonly string[] = CHARTS.map((c) => c.name);

export function chart(name: string): Chart | undefined {
  return CHARTS.find((c) => c.name === name);
}

/** The chart that renders a service (presigned-url-fence → fence). */
export function chartOfService(service: string): string | undefined {
  return RIDES_ON[service] ?? (chart(service) ? service : undefined);
}

/** `repo:tag` → parts; the tag is what follows the last ':' after the last '/'. */
export function splitImage(image: string): { repository: string; tag: string } | undefined {
  const at = image.lastIndexOf(':');
  if (at <= image.lastIndexOf('/') || at === image.length - 1) return undefined;
  return { repository: image.slice(0, at), tag: image.slice(at + 1) };
}

/** Longer than any real image reference (a registry name is at most 255, a tag 128). */
export const MAX_IMAGE_REF = 512;

// registry[:port]/path:tag, no digest, no spaces. Each name component is
// alphanumeric runs joined by separators, so the pattern has one way to match
// any input: it runs in linear time, however long or hostile the string (the
// previous pattern had two overlapping ways to match a path and took seconds
// on a 96 KB import).
const COMPONENT = '[a-z0-9]+(?:[._-]+[a-z0-9]+)*';
const IMAGE_RE = new RegExp(`^${COMPONENT}(?::[0-9]+)?(?:/${COMPONENT})*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`);

/** Whether `image` is a container image reference with a tag (registry/path:tag). */
export function isImageRef(image: string): boolean {
  return image.length <= MAX_IMAGE_REF && IMAGE_RE.test(image);
}
