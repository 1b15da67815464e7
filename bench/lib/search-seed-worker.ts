/**
 * Worker thread of the search benchmark's bulk loader (lib/search-seed.ts): seals bodies and
 * hashes index tokens for batches of generated messages, exactly as the server does
 * (sealBody, documentTokens, tokenHash), so the main thread only writes. SET-UP ONLY.
 */
import { parentPort } from 'node:worker_threads';
import { documentTokens, sealBody, tokenHash } from '@conclave/server';

/** Sent once: the conversations' data keys and search keys (index = conversation number). */
export interface SeedInit { type: 'init'; convs: Array<{ id: string; key: Uint8Array; searchKey: Uint8Array }> }
/** A batch: message `ids[i]` of conversation `conv[i]` with text `texts[i]`. */
export interface SeedJob { type: 'job'; seq: number; conv: number[]; ids: string[]; texts: string[] }
export interface SeedDone { seq: number; bodies: Uint8Array[]; terms: number[][] }

let convs: SeedInit['convs'] = [];
// Token hashes per conversation: the vocabulary is small and an HMAC costs ≈ 5 µs.
let memo: Array<Map<string, number>> = [];

parentPort!.on('message', (msg: SeedInit | SeedJob) => {
  if (msg.type === 'init') {
    convs = msg.convs;
    memo = convs.map(() => new Map());
    return;
  }
  const bodies: Uint8Array[] = [];
  const terms: number[][] = [];
  for (let i = 0; i < msg.ids.length; i++) {
    const ci = msg.conv[i]!;
    const c = convs[ci]!;
    const m = memo[ci]!;
    const set = new Set<number>();
    for (const tok of documentTokens(msg.texts[i]!)) {
      let h = m.get(tok);
      if (h === undefined) m.set(tok, (h = tokenHash(c.searchKey, tok)));
      set.add(h);
    }
    terms.push([...set]);
    bodies.push(sealBody(c.key, msg.texts[i]!, c.id, msg.ids[i]!, 1));
  }
  const done: SeedDone = { seq: msg.seq, bodies, terms };
  parentPort!.postMessage(done);
});
