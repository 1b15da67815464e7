/**
 * Who may see and act on a data-subject request (GOV-3, rule 2): the requester sees and
 * cancels their own; holders of `dsar.decide` see and decide every request of the
 * organisation. Anyone else gets not_found, exactly as for a request that does not exist.
 */
import type { Actor } from '../../kernel/actor';
import { forbidden, notFound } from '../../kernel/errors';
import type { Trx } from '../../storage/tx';
import * as store from './dsar.store';

const WHAT = 'data-subject request';

/** 'own': only the requester (cancel, download). 'read': the requester or an officer. 'decide': an officer. */
export type RequestNeed = 'own' | 'read' | 'decide';

export async function accessRequest(db: Trx, actor: Actor, id: string, need: RequestNeed): Promise<store.RequestRow> {
  const row = await store.findRequest(db, actor.orgId, id);
  if (!row) throw notFound(WHAT, 'missing');
  const own = actor.userId !== null && row.requester_id === actor.userId;
  const officer = actor.permissions.has('dsar.decide');
  if (need === 'own' && !own) throw notFound(WHAT, 'not_requester');
  if (need === 'read' && !own && !officer) throw notFound(WHAT, 'not_requester');
  if (need === 'decide') {
    // Someone who may not decide learns nothing about other people's requests.
    if (!officer) throw own ? forbidden('you need the dsar.decide permission', 'missing_permission:dsar.decide') : notFound(WHAT, 'missing_permission:dsar.decide');
    // Separation of duties: nobody decides about their own data.
    if (own) throw forbidden('another compliance officer must decide your own request', 'own_request');
  }
  return row;
}
