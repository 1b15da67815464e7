/**
 * mls — adding N members to an E2EE group in one commit (E2E-1; the target: 1 000
 * members in < 600 ms), with ts-mls 1.6.4 as the SDK uses it (ciphersuite
 * MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519). Timed, client side: the commit with N Add
 * proposals, the Welcome and the GroupInfo with the ratchet tree (what MlsClient.addMembers
 * builds before posting), their encoding; then one new member joining from the Welcome.
 * Raw baseline in the same run: per member, what an HPKE seal of the Welcome secret costs with
 * node:crypto's native code — an ephemeral X25519 key pair, one Diffie-Hellman, HKDF-SHA256 and
 * AES-128-GCM over 32 bytes: the unavoidable per-member work, without a JavaScript curve.
 *
 *   npx tsx bench/mls.ts [--members 1000] [--runs 3]
 *
 * Set-up (not measured): N KeyPackages.
 */
import './lib/env';
import { performance } from 'node:perf_hooks';
import { createCipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import {
  createCommit, createGroup, createGroupInfoWithExternalPubAndRatchetTree, defaultCapabilities, defaultLifetime, emptyPskIndex,
  encodeMlsMessage, generateKeyPackage, getCiphersuiteFromName, getCiphersuiteImpl, joinGroup, type Proposal,
} from 'ts-mls';
import { intArg, parseArgs } from './lib/args';
import { waitForQuiet } from './lib/load';
import { emitJson, header, line, machine, progress } from './lib/report';
import { fmt, median, round } from './lib/stats';

const args = parseArgs();
const members = intArg(args, 'members', 1000);
const runs = intArg(args, 'runs', 3);
const TARGET_MS = 600;
const enc = new TextEncoder();

async function main(): Promise<void> {
  header(`mls: one commit adding ${members.toLocaleString()} members (ts-mls, X25519/AES-128-GCM/SHA-256/Ed25519), best/median of ${runs}`, [
    'timed: createCommit with N Adds + GroupInfo with ratchet tree + encoding (the adder\'s work); then one joiner processing the Welcome',
    'raw = per member: native X25519 key pair + DH + HKDF-SHA256 + AES-128-GCM of 32 bytes (node:crypto): the irreducible per-member Welcome cost',
    'server-side structural checks of the commit are not included (they are a fraction of the client\'s work)',
  ]);
  const cs = await getCiphersuiteImpl(getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'));
  const kp = (name: string) => generateKeyPackage({ credentialType: 'basic', identity: enc.encode(name) }, defaultCapabilities(), defaultLifetime, [], cs);
  const t0 = performance.now();
  const packages = [];
  for (let i = 0; i < members; i++) {
    packages.push(await kp(`member-${i}`));
    if (i % 200 === 199) progress(`${i + 1} / ${members} KeyPackages`);
  }
  line(`  set-up (not measured): ${members} KeyPackages in ${fmt(round((performance.now() - t0) / 1000, 1), 1)} s`);
  await waitForQuiet();

  const commitMs: number[] = [];
  const joinMs: number[] = [];
  let welcomeBytes = 0;
  for (let r = 0; r < runs; r++) {
    const creator = await kp('creator');
    const state = await createGroup(enc.encode(`bench-${r}`), creator.publicPackage, creator.privatePackage, [], cs);
    const adds: Proposal[] = packages.map((p) => ({ proposalType: 'add', add: { keyPackage: p.publicPackage } }) as Proposal);
    const a = performance.now();
    const res = await createCommit({ state, cipherSuite: cs }, { extraProposals: adds, ratchetTreeExtension: true });
    const gi = await createGroupInfoWithExternalPubAndRatchetTree(res.newState, [], cs);
    encodeMlsMessage(res.commit);
    commitMs.push(performance.now() - a);
    void gi;
    const last = packages[packages.length - 1]!;
    const b = performance.now();
    await joinGroup(res.welcome!, last.publicPackage, last.privatePackage, emptyPskIndex, cs);
    joinMs.push(performance.now() - b);
    welcomeBytes = encodeMlsMessage({ wireformat: 'mls_welcome', version: 'mls10', welcome: res.welcome! } as never).length;
    progress(`run ${r + 1}: commit ${round(commitMs[r]!, 0)} ms, join ${round(joinMs[r]!, 0)} ms`);
  }

  const recipients = Array.from({ length: 50 }, () => createPublicKey(generateKeyPairSync('x25519').publicKey.export({ format: 'pem', type: 'spki' })));
  const secret = randomBytes(32);
  const rawMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const a = performance.now();
    for (let i = 0; i < members; i++) {
      const eph = generateKeyPairSync('x25519');
      const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: recipients[i % recipients.length]! });
      const key = Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), 'mls welcome', 16));
      const c = createCipheriv('aes-128-gcm', key, randomBytes(12));
      c.update(secret);
      c.final();
      c.getAuthTag();
    }
    rawMs.push(performance.now() - a);
  }

  const best = Math.min(...commitMs);
  const rawBest = Math.min(...rawMs);
  line();
  line(`  commit + GroupInfo for ${members} adds: best ${fmt(round(best, 0))} ms, median ${fmt(round(median(commitMs), 0))} ms (target < ${TARGET_MS} ms: ${best < TARGET_MS ? 'met' : 'MISSED'})`);
  line(`  one member joining from the Welcome (${fmt(welcomeBytes)} bytes): best ${fmt(round(Math.min(...joinMs), 0))} ms`);
  line(`  raw: ${members} native X25519+HKDF+AES-GCM seals: best ${fmt(round(rawBest, 0))} ms → commit ÷ raw ${round(best / rawBest, 2)}×`);
  emitJson({
    bench: 'mls', members, runs, commitBestMs: round(best, 1), commitMedianMs: round(median(commitMs), 1), joinBestMs: round(Math.min(...joinMs), 1),
    welcomeBytes, rawBestMs: round(rawBest, 1), ratio: round(best / rawBest, 2), targetMs: TARGET_MS, met: best < TARGET_MS, cpus: machine().cpus, sharedCores: true,
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
