/** The commons id: its hostname as a DNS label (data.midrc.org → data-midrc-org). */
export function commonsIdFor(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}
