/** Reads of your own second factors (IAM-1). There is no way to name someone else's. */
import type { ResponseOf } from '@conclave/protocol';
import type { UserActor } from '../../kernel/actor';
import { notFound } from '../../kernel/errors';
import type { Services } from '../../services';
import { findUserById } from './identity.store';
import { presentSecurityKey } from './webauthn.presenter';
import { listByUser } from './webauthn.store';

export class WebAuthnQueries {
  constructor(private readonly svc: Services) {}

  /** Your keys (newest first), whether TOTP is on, and how many unused recovery codes you have. */
  async mine(actor: UserActor): Promise<ResponseOf<'listSecurityKeys'>> {
    const db = this.svc.database.db;
    const [user, keys, codes] = await Promise.all([
      findUserById(db, actor.orgId, actor.userId),
      listByUser(db, actor.userId),
      db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', actor.userId).where('used_at', 'is', null).executeTakeFirstOrThrow(),
    ]);
    if (!user) throw notFound('user');
    return { credentials: keys.map(presentSecurityKey), totpEnabled: user.totp_enabled === 1, recoveryCodesLeft: Number(codes.n) };
  }
}
