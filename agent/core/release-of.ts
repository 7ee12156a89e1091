// What a commons runs, read from its images: each service's version and the
// commons' Gen3 release.
//
// Real commons do not all run one monthly tag. cdis-manifest 64134748:
// healdata.org/manifest.json runs arborist 4.1.0, hatchery 2.3.0 and portal
// 5.38.1 beside 2025.05; data.midrc.org fence 11.2.2 beside 2025.06;
// gen3.biodatacatalyst.nhlbi.nih.gov portal `feature_data_library` beside
// 2025.04; va.data-commons.org wts 2025.01.24 and metadata/audit 2024.11
// beside 2025.01; gen3-helm's charts default to `master` (42cc46bc,
// helm/fence/values.yaml) and frontend-framework to
// quay.io/cdis/commons-frontend-app:main. So a service's version is its tag
// as written, and the commons' release is claimed only as far as the Gen3
// services really run it:
//
//   2026.07   every Gen3 service runs 2026.07, or most do (each service
//             shows its own version, so the others are visible)
//   mixed     no version is run by more than half of them
//   master    every (or most) Gen3 service runs master
//
// "Most" is more than half: a release most Gen3 services do not run is never
// claimed. Services versioned apart from the monthly Gen3 release do not
// count: third-party images pinned at their own tag (ambassador, aws-es-proxy)
// and frontend-framework, which is each commons' own app
// (heal-data-commons:1.2.1, bdc-data-commons:main) and in no monthly release
// manifest (cdis-manifest releases/*/manifest.json).
import { imageParts, imageVersion } from '../../contracts/image';
import { GEN3_SERVICES, PINNED_TAGS } from '../../contracts/gen3/catalog';

export { imageParts, imageVersion };

/** A Gen3 monthly release tag, YYYY.MM (2026.07; not 2025.01.24 or 2024.08-hotfix, which are other builds). */
export const RELEASE_TAG = /^\d{4}\.(0[1-9]|1[0-2])$/;

/** Services whose version is their own, not the Gen3 release's. */
const OWN_VERSION_SERVICES = new Set([...Object.keys(PINNED_TAGS), 'frontend-framework']);

/**
 * The same, by image name, for callers that only have images: the catalog's
 * images for those services and gen3-helm's frontend-framework default
 * (commons-frontend-app). A commons' own frontend image (heal-data-commons)
 * is only known as such by its service name.
 */
const OWN_VERSION_IMAGES = new Set([...GEN3_SERVICES.filter((s) => OWN_VERSION_SERVICES.has(s.name)).map((s) => lastPart(s.image)), 'commons-frontend-app']);

function lastPart(repository: string): string {
  return repository.slice(repository.lastIndexOf('/') + 1);
}

export interface ReleaseReading {
  /** The text the commons reports (see the file's head); '' when no Gen3 service is known. */
  text: string;
  /** The YYYY.MM release more than half the counted services run, else null. */
  release: string | null;
  /** Gen3 services counted (those versioned apart left out). */
  counted: number;
  /** Counted services per version, most first. */
  versions: [version: string, services: number][];
}

type Workload = string | { name: string; image: string };

function counts(w: Workload): boolean {
  if (typeof w === 'string') return !OWN_VERSION_IMAGES.has(lastPart(imageParts(w).repository));
  return !OWN_VERSION_SERVICES.has(w.name);
}

/** How far a commons runs one Gen3 release, from its services (name and image) or bare images. */
export function readRelease(workloads: readonly Workload[]): ReleaseReading {
  const tally = new Map<string, number>();
  for (const w of workloads) {
    if (!counts(w)) continue;
    const v = imageVersion(typeof w === 'string' ? w : w.image);
    if (v) tally.set(v, (tally.get(v) ?? 0) + 1);
  }
  // Most services first; on a tie a release tag before any other, then the newer.
  const versions = [...tally.entries()].sort((a, b) => b[1] - a[1] || Number(RELEASE_TAG.test(b[0])) - Number(RELEASE_TAG.test(a[0])) || b[0].localeCompare(a[0]));
  const counted = versions.reduce((n, [, c]) => n + c, 0);
  if (counted === 0) return { text: '', release: null, counted, versions };
  const [top, on] = versions[0];
  const most = on * 2 > counted;
  const release = most && RELEASE_TAG.test(top) ? top : null;
  const off = counted - on;
  // The text is a label (dcoc_commons_info{version}) and compared for equality: the version most
  // services run, or "mixed"; which services are off it shows per service (their own version).
  const text = off === 0 || most ? top : 'mixed';
  return { text, release, counted, versions };
}

/** The release a commons runs, as the text its agent reports (readRelease). */
export function releaseOf(workloads: readonly Workload[]): string {
  return readRelease(workloads).text;
}
