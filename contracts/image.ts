// Image references as Kubernetes reads them (registry[:port]/path[:tag][@digest])
// and the version a service shows for one. Shared by the agent, which reports
// versions, and the app, which shows plans; imports nothing.
export interface ImageParts {
  repository: string;
  /** null when the reference has no tag. */
  tag: string | null;
  /** `sha256:…` when the reference is pinned by digest. */
  digest: string | null;
}

/** `registry[:port]/path[:tag][@digest]` → its parts (surrounding blanks ignored). */
export function imageParts(image: string): ImageParts {
  const s = image.trim();
  const at = s.indexOf('@');
  const name = at >= 0 ? s.slice(0, at) : s;
  const colon = name.lastIndexOf(':');
  const tagged = colon > name.lastIndexOf('/') && colon < name.length - 1;
  return {
    repository: tagged || colon === name.length - 1 ? name.slice(0, colon) : name,
    tag: tagged ? name.slice(colon + 1) : null,
    digest: at >= 0 && at < s.length - 1 ? s.slice(at + 1) : null,
  };
}

/** A digest as people quote it: the algorithm and 12 hex digits (the image keeps it whole). */
function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon > 0 ? `${digest.slice(0, colon + 1)}${digest.slice(colon + 1, colon + 13)}` : digest.slice(0, 12);
}

/**
 * A service's version as its image states it: the tag as written (2026.07,
 * master, main, 1.2.1, v2.3.0, 2025.01.24), the digest when the image is
 * pinned by one (`sha256:0123456789ab`, after the tag when both are given:
 * Kubernetes runs the digest), `latest` when it has neither (what Kubernetes
 * pulls), '' when there is no image.
 */
export function imageVersion(image: string): string {
  if (!image.trim()) return '';
  const { tag, digest } = imageParts(image);
  if (digest) return tag ? `${tag}@${shortDigest(digest)}` : shortDigest(digest);
  return tag ?? 'latest';
}

