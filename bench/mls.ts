/**
 * mls — E2EE groups on ts-mls 1.6.4 as the SDK uses it (E2E-1; ciphersuite
 * MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519), with both crypto providers in the same run:
 * `default` (ts-mls's WebCrypto provider: what a browser client runs) and `node` (the SDK's
 * node:crypto provider, packages/sdk/src/mls/node-crypto-provider.ts: what Node clients run).
 *
 * 1. One commit adding N members (the target: 1 000 members in < 600 ms). Timed, client
 *    side: the commit with N Add proposals, the Welcome and the GroupInfo with the ratchet tree
 *    (what MlsClient.addMembers builds before posting), their encoding; then one new member
 *    joining from the Welcome. Runs alternate between the providers so both see the same load.
 *    Raw baseline in the same run: per member, what an HPKE seal of the Welcome secret costs with
 *    node:crypto's native code — an ephemeral X25519 key pair, one Diffie-Hellman, HKDF-SHA256
 *    and AES-128-GCM over 32 bytes: the unavoidable per-member work, without a JavaScript curve.
 * 2. Steady state: a `--group`-member group (default 100) simulated in this process (no server):
 *    one sender encrypts application messages, each of the other members decrypts every one.
 *    msgs/s = messages fully delivered (1 encrypt + group−1 decrypts) per second. Raw baseline:
 *    the same message's irreducible native crypto — the sender's Ed25519 signature and two
 *    AES-128-GCM seals (sender data, content), then per reader an Ed25519 verify, three HKDF
 *    expands (ratchet step, key, nonce) and two AES-128-GCM opens.
 *
 * Both providers run with MlsClient's client configuration (its duplicate-Add comparison,
 * key-package-equality.ts); `--tsmls-equality` uses ts-mls's default one instead.
 *
 *   npx tsx bench/mls.ts [--members 1000] [--runs 3] [--group 100] [--messages 200] [--seconds 8] [--providers default,node] [--tsmls-equality]
 *
 * Set-up (not measured): N KeyPackages; the steady-state group and every member's join.
 */
import './lib/env';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  createCipheriv, createDecipheriv, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, sign, verify,
} from 'node:crypto';
import {
  acceptAll, createApplicationMessage, createCommit, createGroup, createGroupInfoWithExternalPubAndRatchetTree, defaultCapabilities,
  defaultCryptoProvider, defaultLifetime, emptyPskIndex, encodeMlsMessage, generateKeyPackage, getCiphersuiteFromName, getCiphersuiteImpl,
  joinGroup, processMessage, type CiphersuiteImpl, type ClientState, type CryptoProvider, type Proposal,
} from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { publicKeyEquality } from '../packages/sdk/src/mls/key-package-equality';
import { nodeCryptoProvider } from '../packages/sdk/src/mls/node-crypto-provider';
import { intArg, listArg, parseArgs } from './lib/args';
import { machineCpu, otherCpuPct, waitForQuiet } from './lib/load';
import { emitJson, header, line, machine, progress } from './lib/report';
import { fmt, median, round } from './lib/stats';

const args = parseArgs();
const members = intArg(args, 'members', 1000);
const runs = intArg(args, 'runs', 3);
const groupSize = intArg(args, 'group', 100);
const maxMessages = intArg(args, 'messages', 200);
const steadySeconds = intArg(args, 'seconds', 8);
const PROVIDERS: Record<string, CryptoProvider> = { default: defaultCryptoProvider, node: nodeCryptoProvider };
const providers = listArg(args, 'providers', ['default', 'node']);
for (const p of providers) if (!PROVIDERS[p]) throw new Error(`--providers: default and/or node, got "${p}"`);
const TARGET_MS = 600;
const TARGET_MEMBERS = 1000;
/** The target is stated for 1 000 members only. */
const verdict = (ms: number) => (members === TARGET_MEMBERS ? `target < ${TARGET_MS} ms: ${ms < TARGET_MS ? 'met' : 'MISSED'}` : `target is for ${TARGET_MEMBERS} members: n/a`);
// MlsClient's duplicate-Add comparison (key-package-equality.ts); --tsmls-equality: ts-mls's own.
const tsmlsEquality = args.has('tsmls-equality');
const CONFIG = tsmlsEquality ? defaultClientConfig : { ...defaultClientConfig, keyPackageEqualityConfig: publicKeyEquality };
const SUITE = getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519');
const enc = new TextEncoder();
// About what MlsClient.send encrypts for a short chat line (its JSON payload).
const PAYLOAD = enc.encode(JSON.stringify({ v: 1, kind: 'text', text: 'Steady-state benchmark message: about one line of chat text, as people type it.' }));

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');
type KP = Awaited<ReturnType<typeof generateKeyPackage>>;
const kp = (name: string, cs: CiphersuiteImpl): Promise<KP> => generateKeyPackage({ credentialType: 'basic', identity: enc.encode(name) }, defaultCapabilities(), defaultLifetime, [], cs);
const addsOf = (pkgs: KP[]): Proposal[] => pkgs.map((p) => ({ proposalType: 'add', add: { keyPackage: p.publicPackage } }) as Proposal);

/** Times `fn`, and how much of the machine other processes used meanwhile. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number; otherPct: number | null }> {
  const [c0, m0, t0] = [process.cpuUsage(), machineCpu(), performance.now()];
  const value = await fn();
  const [c1, m1, ms] = [process.cpuUsage(c0), machineCpu(), performance.now() - t0];
  const cpuMs = (c1.user + c1.system) / 1000;
  return { value, ms, cpuMs, otherPct: otherCpuPct(m0, m1, cpuMs) };
}

// ------------------------------------------------------------------------------ 1. big commit

/** cpuMs: CPU time of this process (all its threads) during the commit: less sensitive to other load than wall time. */
interface CommitFigures { commitMs: number[]; cpuMs: number[]; joinMs: number[]; otherPct: number[]; welcomeBytes: number }

async function bigCommit(packages: KP[], impls: Record<string, CiphersuiteImpl>): Promise<Record<string, CommitFigures>> {
  const out: Record<string, CommitFigures> = Object.fromEntries(providers.map((p) => [p, { commitMs: [], cpuMs: [], joinMs: [], otherPct: [], welcomeBytes: 0 }]));
  for (let r = 0; r < runs; r++) {
    // Alternate the order each run, so neither provider always runs first after the quiet wait.
    for (const p of r % 2 ? [...providers].reverse() : providers) {
      const cs = impls[p]!;
      const creator = await kp('creator', cs);
      const state = await createGroup(enc.encode(`bench-${p}-${r}`), creator.publicPackage, creator.privatePackage, [], cs, CONFIG);
      const adds = addsOf(packages);
      const m = await measured(async () => {
        const res = await createCommit({ state, cipherSuite: cs }, { extraProposals: adds, ratchetTreeExtension: true });
        await createGroupInfoWithExternalPubAndRatchetTree(res.newState, [], cs);
        encodeMlsMessage(res.commit);
        return res;
      });
      const last = packages[packages.length - 1]!;
      const b = performance.now();
      await joinGroup(m.value.welcome!, last.publicPackage, last.privatePackage, emptyPskIndex, cs, undefined, undefined, CONFIG);
      const f = out[p]!;
      f.joinMs.push(performance.now() - b);
      f.commitMs.push(m.ms);
      f.cpuMs.push(m.cpuMs);
      if (m.otherPct !== null) f.otherPct.push(m.otherPct);
      f.welcomeBytes = encodeMlsMessage({ wireformat: 'mls_welcome', version: 'mls10', welcome: m.value.welcome! } as never).length;
      progress(`run ${r + 1} ${p}: commit ${round(m.ms, 0)} ms (CPU ${round(m.cpuMs, 0)} ms, other load ${m.otherPct ?? '?'} %), join ${round(f.joinMs[r]!, 0)} ms`);
    }
  }
  return out;
}

function rawCommit(): number[] {
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
  return rawMs;
}

// ------------------------------------------------------------------------------ 2. steady state

interface SteadyFigures { messages: number; ms: number; msgsPerS: number; decryptsPerS: number; encryptMsMean: number; setupS: number; otherPct: number | null }

async function steadyState(p: string, cs: CiphersuiteImpl): Promise<SteadyFigures> {
  const s0 = performance.now();
  const sender = await kp('sender', cs);
  const readers: KP[] = [];
  for (let i = 1; i < groupSize; i++) readers.push(await kp(`reader-${i}`, cs));
  let senderState = await createGroup(enc.encode(`steady-${p}`), sender.publicPackage, sender.privatePackage, [], cs, CONFIG);
  const res = await createCommit({ state: senderState, cipherSuite: cs }, { extraProposals: addsOf(readers), ratchetTreeExtension: true });
  senderState = res.newState;
  const states: ClientState[] = [];
  for (const r of readers) states.push(await joinGroup(res.welcome!, r.publicPackage, r.privatePackage, emptyPskIndex, cs, undefined, undefined, CONFIG));
  const setupS = (performance.now() - s0) / 1000;
  progress(`steady ${p}: ${groupSize}-member group set up in ${round(setupS, 1)} s`);
  await waitForQuiet();

  let encryptMs = 0;
  const m = await measured(async () => {
    const t0 = performance.now();
    let n = 0;
    while (n < maxMessages && (n < 3 || performance.now() - t0 < steadySeconds * 1000)) {
      const e0 = performance.now();
      const out = await createApplicationMessage(senderState, PAYLOAD, cs);
      encryptMs += performance.now() - e0;
      senderState = out.newState;
      const msg = { version: 'mls10', wireformat: 'mls_private_message', privateMessage: out.privateMessage } as const;
      for (let i = 0; i < states.length; i++) {
        const r = await processMessage(msg, states[i]!, emptyPskIndex, acceptAll, cs);
        if (r.kind !== 'applicationMessage' || r.message.length !== PAYLOAD.length) throw new Error(`reader ${i} got ${r.kind}`);
        states[i] = r.newState;
      }
      n++;
    }
    return n;
  });
  const n = m.value;
  return {
    messages: n, ms: m.ms, msgsPerS: (n * 1000) / m.ms, decryptsPerS: (n * (groupSize - 1) * 1000) / m.ms, encryptMsMean: encryptMs / n, setupS, otherPct: m.otherPct,
  };
}

/** The same message's irreducible native crypto (see the header), messages per second. */
function rawSteady(): number {
  const signer = generateKeyPairSync('ed25519');
  const secret = randomBytes(32);
  const expand = (prk: Buffer, info: string) => createHmac('sha256', prk).update(info).update(Uint8Array.of(1)).digest();
  const seal = (key: Buffer, nonce: Buffer, pt: Uint8Array) => {
    const c = createCipheriv('aes-128-gcm', key, nonce);
    return { ct: Buffer.concat([c.update(pt), c.final()]), tag: c.getAuthTag() };
  };
  const open = (key: Buffer, nonce: Buffer, box: { ct: Buffer; tag: Buffer }) => {
    const d = createDecipheriv('aes-128-gcm', key, nonce);
    d.setAuthTag(box.tag);
    return Buffer.concat([d.update(box.ct), d.final()]);
  };
  const t0 = performance.now();
  let n = 0;
  while (n < 20 || performance.now() - t0 < 1000) {
    // Sender: one ratchet step, sign, seal content and sender data.
    const next = expand(secret, 'secret');
    const key = expand(next, 'key').subarray(0, 16);
    const nonce = expand(next, 'nonce').subarray(0, 12);
    const sig = sign(null, PAYLOAD, signer.privateKey);
    const content = seal(key, nonce, PAYLOAD);
    const senderData = seal(key, nonce, secret.subarray(0, 12));
    for (let i = 1; i < groupSize; i++) {
      const rNext = expand(secret, 'secret');
      const rKey = expand(rNext, 'key').subarray(0, 16);
      expand(rNext, 'nonce');
      open(rKey, nonce, senderData);
      open(rKey, nonce, content);
      if (!verify(null, PAYLOAD, signer.publicKey, sig)) throw new Error('raw verify');
    }
    n++;
  }
  return (n * 1000) / (performance.now() - t0);
}

// ------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  header(`mls: one commit adding ${members.toLocaleString()} members, best/median of ${runs}; steady state in a ${groupSize}-member group — providers: ${providers.join(', ')}`, [
    'ts-mls 1.6.4, MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519; default = ts-mls WebCrypto provider (browsers), node = SDK node:crypto provider (Node clients)',
    'timed: createCommit with N Adds + GroupInfo with ratchet tree + encoding (the adder\'s work); then one joiner processing the Welcome',
    'raw = per member: native X25519 key pair + DH + HKDF-SHA256 + AES-128-GCM of 32 bytes (node:crypto): the irreducible per-member Welcome cost',
    `steady state: 1 sender, ${groupSize - 1} readers in this process; raw = per message Ed25519 sign + 2 AES-GCM seals, per reader Ed25519 verify + 3 HKDF expands + 2 AES-GCM opens`,
    'server-side structural checks of the commit are not included (they are a fraction of the client\'s work)',
    `client config: ${tsmlsEquality ? 'ts-mls default (constant-time duplicate-Add comparison)' : 'MlsClient\'s (early-exit public-key comparison for the N² duplicate-Add check)'}`,
  ]);
  const loadStart = load();
  line(`load average (1 / 5 / 15 min) at start: ${loadStart}`);
  const impls: Record<string, CiphersuiteImpl> = {};
  for (const p of providers) impls[p] = await getCiphersuiteImpl(SUITE, PROVIDERS[p]);

  // KeyPackages are bytes: made once (with the fastest provider available), used by both.
  const maker = impls.node ?? impls[providers[0]!]!;
  const t0 = performance.now();
  const packages: KP[] = [];
  for (let i = 0; i < members; i++) {
    packages.push(await kp(`member-${i}`, maker));
    if (i % 200 === 199) progress(`${i + 1} / ${members} KeyPackages`);
  }
  line(`  set-up (not measured): ${members} KeyPackages in ${fmt(round((performance.now() - t0) / 1000, 1), 1)} s`);

  await waitForQuiet();
  const loadCommit = load();
  const commits = await bigCommit(packages, impls);
  const rawMs = rawCommit();
  const rawBest = Math.min(...rawMs);

  const steady: Record<string, SteadyFigures> = {};
  for (const p of providers) steady[p] = await steadyState(p, impls[p]!);
  const rawMsgsPerS = rawSteady();
  const loadEnd = load();

  line();
  line(`load average (1 / 5 / 15 min): start ${loadStart}; before the commits ${loadCommit}; end ${loadEnd}`);
  line(`raw: ${members} native X25519+HKDF+AES-GCM seals: best ${fmt(round(rawBest, 0))} ms`);
  const json: Record<string, unknown> = {};
  for (const p of providers) {
    const f = commits[p]!;
    const best = Math.min(...f.commitMs);
    line(`  [${p}] commit + GroupInfo for ${members} adds: best ${fmt(round(best, 0))} ms, median ${fmt(round(median(f.commitMs), 0))} ms, ${round(best / rawBest, 2)}× raw`
      + ` (${verdict(best)}; CPU time best ${fmt(round(Math.min(...f.cpuMs), 0))} ms; other load during the runs ${f.otherPct.join(' / ') || '?'} %)`);
    line(`  [${p}] one member joining from the Welcome (${fmt(f.welcomeBytes)} bytes): best ${fmt(round(Math.min(...f.joinMs), 0))} ms, median ${fmt(round(median(f.joinMs), 0))} ms`);
    json[p] = {
      commitBestMs: round(best, 1), commitMedianMs: round(median(f.commitMs), 1), commitMs: f.commitMs.map((x) => round(x, 1)), commitCpuMs: f.cpuMs.map((x) => round(x, 1)), joinBestMs: round(Math.min(...f.joinMs), 1),
      joinMedianMs: round(median(f.joinMs), 1), ratio: round(best / rawBest, 2), met: members === TARGET_MEMBERS ? best < TARGET_MS : null, otherCpuPct: f.otherPct,
    };
  }
  line(`  raw steady state: ${fmt(round(rawMsgsPerS, 1), 1)} msgs/s to ${groupSize - 1} readers (${fmt(round(rawMsgsPerS * (groupSize - 1), 0))} reader-decrypts/s)`);
  for (const p of providers) {
    const s = steady[p]!;
    line(`  [${p}] steady state, ${groupSize} members: ${fmt(round(s.msgsPerS, 1), 1)} msgs/s (1 encrypt + ${groupSize - 1} decrypts each; ${fmt(round(s.decryptsPerS, 0))} decrypts/s;`
      + ` encrypt ${round(s.encryptMsMean, 2)} ms) over ${s.messages} messages in ${fmt(round(s.ms / 1000, 1), 1)} s = ${round((s.msgsPerS / rawMsgsPerS) * 100, 1)} % of raw (other load ${s.otherPct ?? '?'} %; set-up ${round(s.setupS, 1)} s)`);
    Object.assign(json[p] as object, {
      steadyMsgsPerS: round(s.msgsPerS, 2), steadyDecryptsPerS: round(s.decryptsPerS, 0), steadyEncryptMs: round(s.encryptMsMean, 3), steadyMessages: s.messages,
      steadyRatio: round(s.msgsPerS / rawMsgsPerS, 4), steadyOtherCpuPct: s.otherPct, steadySetupS: round(s.setupS, 1),
    });
  }
  if (commits.default && commits.node) {
    const d = Math.min(...commits.default.commitMs);
    const n = Math.min(...commits.node.commitMs);
    line(`  node vs default: commit ${round(d / n, 2)}× faster, join ${round(Math.min(...commits.default.joinMs) / Math.min(...commits.node.joinMs), 2)}× faster, steady state ${round(steady.node!.msgsPerS / steady.default!.msgsPerS, 2)}× the msgs/s`);
  }
  // Top-level fields keep the earlier JSON's meaning (the SDK's provider on Node, now `node`).
  const main = (json.node ?? json[providers[0]!]) as { commitBestMs: number; commitMedianMs: number; joinBestMs: number; ratio: number; met: boolean | null };
  emitJson({
    bench: 'mls', members, runs, equality: tsmlsEquality ? 'ts-mls' : 'sdk', provider: json.node ? 'node' : providers[0], commitBestMs: main.commitBestMs, commitMedianMs: main.commitMedianMs, joinBestMs: main.joinBestMs,
    welcomeBytes: commits[providers[0]!]!.welcomeBytes, rawBestMs: round(rawBest, 1), ratio: main.ratio, targetMs: TARGET_MS, met: main.met,
    group: groupSize, rawSteadyMsgsPerS: round(rawMsgsPerS, 1), providers: json, loadavg: { start: loadStart, commits: loadCommit, end: loadEnd },
    cpus: machine().cpus, sharedCores: true,
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
