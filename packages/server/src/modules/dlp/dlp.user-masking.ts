/**
 * Role-based masking of personal data in wire objects (DLP-4). Which viewers see masked
 * values is the org setting `maskPersonalData`: `external` (default: guests), `all` (everyone),
 * `off`. Nobody's own record is masked. Holders of `users.view_unmasked` reveal one field at a
 * time through the audited unmask endpoint; everyone else cannot unmask at all.
 */
import type { OrgSettings, User } from '@conclave/protocol';
import type { Actor } from '../../kernel/actor';
import { maskAddress, maskEmail, maskPhone } from './dlp.masking';

export function masksFor(viewer: Actor, settings: Pick<OrgSettings, 'maskPersonalData'>): boolean {
  if (viewer.kind !== 'user') return false;
  if (settings.maskPersonalData === 'all') return true;
  return settings.maskPersonalData === 'external' && viewer.role === 'guest';
}

/** Users as `viewer` may see them: other people's email, phone and address masked when the setting applies. */
export function maskUsers(viewer: Actor, settings: Pick<OrgSettings, 'maskPersonalData'>, users: User[]): User[] {
  if (!masksFor(viewer, settings)) return users;
  return users.map((u) => {
    if (u.id === viewer.userId) return u;
    const masked = ['email', ...(u.phone ? ['phone'] : []), ...(u.address ? ['address'] : [])];
    return { ...u, email: maskEmail(u.email), phone: u.phone && maskPhone(u.phone), address: u.address && maskAddress(u.address), maskedFields: masked };
  });
}
