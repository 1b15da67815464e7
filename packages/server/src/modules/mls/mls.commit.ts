/**
 * What a commit does, read from its public framing (E2E-1). Commits travel as MLS
 * PublicMessages so the delivery service can enforce policy on them (who is added, who is
 * removed, who is sending) and verify the sender's signature, without any group secret.
 */
import type { GroupContext, PublicMessage } from 'ts-mls';
import { verifyFramedContentSignature } from 'ts-mls/framedContent.js';
import { invalid } from '../../kernel/errors';
import { ciphersuite, parseIdentity, type Leaf } from './mls.codec';

export interface CommitAnalysis {
  epoch: number;
  external: boolean;
  /** Member commits: the committer's leaf in the current tree. */
  senderLeaf: number | null;
  /** External commits: the joining device, from the commit's update path. */
  joiner: { userId: string; deviceId: string; signatureKey: Uint8Array } | null;
  adds: Array<{ userId: string; deviceId: string; signatureKey: Uint8Array }>;
  /** Leaves removed by value (removals by reference are the server's own proposals). */
  removes: number[];
}

/** Reads a commit's sender and proposals; refuses proposal types this deployment never uses. */
export function analyseCommit(pm: PublicMessage): CommitAnalysis {
  const c = pm.content;
  if (c.contentType !== 'commit') throw invalid('commit', `must be a commit, not a ${c.contentType}`);
  const external = c.sender.senderType === 'new_member_commit';
  if (c.sender.senderType !== 'member' && !external) throw invalid('commit', `sender type ${c.sender.senderType} cannot commit`);
  const out: CommitAnalysis = { epoch: Number(c.epoch), external, senderLeaf: c.sender.senderType === 'member' ? c.sender.leafIndex : null, joiner: null, adds: [], removes: [] };
  let externalInit = 0;
  for (const p of c.commit.proposals) {
    if (p.proposalOrRefType === 'reference') {
      if (external) throw invalid('commit', 'an external commit cannot reference proposals');
      continue;
    }
    const prop = p.proposal;
    switch (prop.proposalType) {
      case 'add': {
        const kp = prop.add.keyPackage;
        const who = parseIdentity(kp.leafNode.credential as { credentialType: string; identity?: Uint8Array });
        if (!who) throw invalid('commit', 'adds a KeyPackage whose credential is not a Conclave device');
        out.adds.push({ ...who, signatureKey: kp.leafNode.signaturePublicKey });
        break;
      }
      case 'remove':
        out.removes.push(prop.remove.removed);
        break;
      case 'external_init':
        externalInit++;
        break;
      default:
        throw invalid('commit', `${String(prop.proposalType)} proposals are not accepted by this server`);
    }
  }
  if (external) {
    if (externalInit !== 1) throw invalid('commit', 'an external commit needs exactly one external_init proposal');
    if (out.adds.length) throw invalid('commit', 'an external commit cannot add members');
    const leaf = c.commit.path?.leafNode;
    const who = leaf && parseIdentity(leaf.credential as { credentialType: string; identity?: Uint8Array });
    if (!leaf || !who) throw invalid('commit', 'an external commit needs an update path naming a Conclave device');
    out.joiner = { ...who, signatureKey: leaf.signaturePublicKey };
  } else if (externalInit) {
    throw invalid('commit', 'external_init belongs in external commits only');
  }
  const addIds = out.adds.map((a) => a.deviceId);
  if (new Set(addIds).size !== addIds.length) throw invalid('commit', 'adds the same device twice');
  return out;
}

/** Verifies the commit's signature with the sender's key in the current epoch's context. */
export async function verifyCommitSignature(pm: PublicMessage, signatureKey: Uint8Array, context: GroupContext): Promise<void> {
  const cs = await ciphersuite();
  let ok = false;
  try { ok = await verifyFramedContentSignature(signatureKey, 'mls_public_message', pm.content, pm.auth, context, cs.signature); } catch { ok = false; }
  if (!ok) throw invalid('commit', 'signature does not verify for the sending device');
}

/** Leaves by index. */
export function byIndex(leaves: Array<Pick<Leaf, 'leafIndex' | 'userId' | 'deviceId'>>): Map<number, { userId: string; deviceId: string }> {
  return new Map(leaves.map((l) => [l.leafIndex, { userId: l.userId, deviceId: l.deviceId }]));
}
