// Commons sizes for the simulation, from production gen3-gitops values
// (gen3-facts.md §6.1): small is the umbrella chart's default-enabled set,
// medium adds the explorer and job services, large adds the rest.
import { DEFAULT_ENABLED } from '../../contracts/gen3/catalog';

export const SIZES = {
  small: { services: DEFAULT_ENABLED, replicas: {} as Record<string, number> },
  medium: {
    services: [...DEFAULT_ENABLED, 'guppy', 'requestor', 'sower', 'ssjdispatcher'],
    replicas: { revproxy: 4, fence: 4, 'presigned-url-fence': 4, indexd: 4, arborist: 4, sheepdog: 2, peregrine: 4, metadata: 4, portal: 2, guppy: 4, wts: 2 },
  },
  large: {
    services: [...DEFAULT_ENABLED, 'guppy', 'requestor', 'sower', 'ssjdispatcher', 'frontend-framework', 'aws-es-proxy'],
    replicas: { revproxy: 4, fence: 4, 'presigned-url-fence': 4, indexd: 10, arborist: 4, sheepdog: 4, peregrine: 4, metadata: 4, portal: 4, guppy: 4, wts: 3, hatchery: 4 },
  },
} as const;

export type Size = keyof typeof SIZES;
