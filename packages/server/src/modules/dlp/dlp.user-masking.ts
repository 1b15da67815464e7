/**
 * Role-based masking of personal data in wire objects (DLP-4). Which viewers see masked
 * values is the org setting `maskPersonalData`: `external` (default: guests), `all` (everyone),
 * `off`. Nobody's own record is masked. Holders of `users.view_unmasked` reveal one field at a
 * time through the audited unmask endpoint; everyone else cannot unmask at all.
 */
import type { OrgSettings, User } from '@conclave/protocol';
import type { Actor } from '../../kernel/actor';
import { maskEmail } from './dlp.masking';

export function masksFor(viewer: Actor, settings: Pick<OrgSettings, 'maskPersonalData'>): boolean {
  if (viewer.kind !== 'user') return false;
  if (settings.maskPersonalData === 'all') return true;
  return settings.maskPersonalData === 'external' && viewer.role === 'guest';
}

/** Users as `viewer` may see them: other people's email masked when the setting applies. */
export function maskUsers(viewer: Actor, settings: Pick<OrgSettings, 'maskPersonalData'>, users: User[]): User[] {
  if (!masksFor(viewer, settings)) return users;
  return users.map((u) => (u.id === viewer.userId ? u : { ...u, email: maskEmail(u.email), maskedFields: ['email'] }));
}
