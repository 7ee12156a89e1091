// A policy's rules in one line, as the policies table shows them.
import type { PolicyRules } from '../../../contracts/policies';

export function rulesText(r: PolicyRules): string {
  const parts: string[] = [];
  if (r.approval) parts.push(`${r.approval.kinds.join(', ')} wait for approval by ${r.approval.approvers} or higher`);
  if (r.requireReason) parts.push('a reason is required');
  const minRoles = Object.entries(r.minRole).filter(([, role]) => role);
  if (minRoles.length) parts.push(minRoles.map(([kind, role]) => `${kind} needs ${role}`).join(', '));
  if (r.allowedReleases) parts.push(r.allowedReleases.length ? `releases ${r.allowedReleases.join(', ')}` : 'no release allowed');
  return parts.join('; ') || 'no rules';
}
