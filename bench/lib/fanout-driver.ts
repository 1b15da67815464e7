/**
 * Fan-out measurement shared by the Conclave run and the raw baseline: the sender embeds
 * `B|<index>|<performance.now() at send>|` in the message text; every receiving socket (same
 * process, same clock) records send→receive latency, checks its seq is gap-free, and counts
 * the message. A message is complete when all N sockets have it.
 */
import { Histogram } from './stats';

export type SendFn = (text: string, clientId: string) => Promise<unknown>;

const MAX_MESSAGES = 400_000;
const TEXT_BYTES = 140;

export interface PhaseResult {
  phase: string;
  messagesSent: number;
  messagesComplete: number;
  deliveries: number;
  expectedDeliveries: number;
  seconds: number;
  deliveriesPerSec: number;
  messagesPerSec: number;
  sendErrors: number;
  hist: Histogram;
  /** Offered load for fixed-rate phases (messages/s). */
  offeredRate?: number;
}

export class FanoutTracker {
  private readonly counts = new Uint32Array(MAX_MESSAGES);
  private readonly phaseOf = new Uint8Array(MAX_MESSAGES);
  private readonly hists: Histogram[] = [];
  private readonly lastSeq: Float64Array;
  private nextIndex = 0;
  private onComplete: ((idx: number) => void) | null = null;
  private lastDelivery = 0;
  gaps = 0;
  duplicates = 0;
  otherFrames = 0;
  closes: Array<{ index: number; code: number; reason: string }> = [];
  frameBytes = 0;
  frames = 0;
  /** One message.created frame as received (to give the raw baseline the same shape). */
  sample: string | null = null;

  constructor(readonly n: number, helloSeq: number[]) {
    this.lastSeq = Float64Array.from(helloSeq);
  }

  /** Called for every frame after hello. Cheap parsing on purpose: the client must not be the bottleneck. */
  onFrame = (i: number, data: Buffer): void => {
    const now = performance.now();
    const s = data.toString('utf8');
    const seqAt = s.indexOf('"seq":');
    if (seqAt < 0 || !s.startsWith('{"type":"event"')) { this.otherFrames++; return; }
    const seq = parseInt(s.slice(seqAt + 6, seqAt + 24), 10);
    const last = this.lastSeq[i]!;
    if (seq <= last) { this.duplicates++; return; }
    if (seq > last + 1) this.gaps++;
    this.lastSeq[i] = seq;
    const textAt = s.indexOf('"text":"B|');
    if (textAt < 0 || s.indexOf('"type":"message.created"') < 0) { this.otherFrames++; return; }
    const p1 = textAt + 10;
    const p2 = s.indexOf('|', p1);
    const p3 = s.indexOf('|', p2 + 1);
    const idx = parseInt(s.slice(p1, p2), 10);
    const sentAt = parseFloat(s.slice(p2 + 1, p3));
    this.frames++;
    this.frameBytes += data.length;
    if (this.sample === null) this.sample = s;
    this.hists[this.phaseOf[idx]!]!.record(now - sentAt);
    this.lastDelivery = now;
    if (++this.counts[idx]! === this.n) this.onComplete?.(idx);
  };

  onClose = (index: number, code: number, reason: string): void => {
    this.closes.push({ index, code, reason });
  };

  private newPhase(): { id: number; hist: Histogram } {
    const hist = new Histogram();
    this.hists.push(hist);
    return { id: this.hists.length - 1, hist };
  }

  private message(phase: number): { idx: number; text: string; clientId: string } {
    const idx = this.nextIndex++;
    if (idx >= MAX_MESSAGES) throw new Error('too many messages for one run');
    this.phaseOf[idx] = phase;
    const head = `B|${idx}|${performance.now().toFixed(3)}|`;
    return { idx, text: head + 'x'.repeat(Math.max(0, TEXT_BYTES - head.length)), clientId: `bench-${process.pid}-${idx}` };
  }

  private tally(name: string, first: number, last: number, hist: Histogram, t0: number, errors: number, offeredRate?: number): PhaseResult {
    let deliveries = 0;
    let complete = 0;
    for (let i = first; i < last; i++) {
      deliveries += this.counts[i]!;
      if (this.counts[i] === this.n) complete++;
    }
    const seconds = Math.max(1e-6, (this.lastDelivery - t0) / 1000);
    return {
      phase: name, messagesSent: last - first, messagesComplete: complete, deliveries, expectedDeliveries: (last - first) * this.n,
      seconds, deliveriesPerSec: deliveries / seconds, messagesPerSec: complete / seconds, sendErrors: errors, hist, offeredRate,
    };
  }

  /**
   * Closed loop: keeps `window` messages in flight (a message leaves the window when all N
   * sockets have it) for `durationMs`, then waits for the stragglers (at most `graceMs`).
   */
  closedLoop(name: string, send: SendFn, window: number, durationMs: number, graceMs = 15_000): Promise<PhaseResult> {
    const { id, hist } = this.newPhase();
    const first = this.nextIndex;
    const t0 = performance.now();
    this.lastDelivery = t0;
    const stopAt = t0 + durationMs;
    let inFlight = 0;
    let errors = 0;
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(hard);
        this.onComplete = null;
        resolve(this.tally(name, first, this.nextIndex, hist, t0, errors));
      };
      const launch = () => {
        const m = this.message(id);
        inFlight++;
        send(m.text, m.clientId).catch(() => { errors++; inFlight--; maybeEnd(); });
      };
      const maybeEnd = () => {
        if (performance.now() < stopAt) { while (inFlight < window) launch(); } else if (inFlight === 0) finish();
      };
      this.onComplete = (idx) => { if (idx >= first) { inFlight--; maybeEnd(); } };
      const hard = setTimeout(finish, durationMs + graceMs);
      for (let i = 0; i < window; i++) launch();
    });
  }

  /** Open loop at a fixed `rate` (messages/s) for `durationMs`, then waits (at most `graceMs`) for delivery. */
  fixedRate(name: string, send: SendFn, rate: number, durationMs: number, graceMs = 15_000): Promise<PhaseResult> {
    const { id, hist } = this.newPhase();
    const first = this.nextIndex;
    const t0 = performance.now();
    this.lastDelivery = t0;
    const total = Math.max(1, Math.round((rate * durationMs) / 1000));
    let launched = 0;
    let settled = 0;
    let errors = 0;
    return new Promise((resolve) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(hard);
        clearTimeout(timer);
        this.onComplete = null;
        resolve(this.tally(name, first, this.nextIndex, hist, t0, errors, rate));
      };
      this.onComplete = (idx) => { if (idx >= first && ++settled === total) finish(); };
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
        while (launched < due) {
          const m = this.message(id);
          launched++;
          send(m.text, m.clientId).catch(() => { errors++; if (++settled === total) finish(); });
        }
        if (launched < total) timer = setTimeout(tick, Math.max(0, t0 + (launched * 1000) / rate - performance.now()));
      };
      const hard = setTimeout(finish, durationMs + graceMs);
      tick();
    });
  }
}

/** Summary numbers of a phase, for tables and JSON. */
export function summarize(r: PhaseResult) {
  return {
    deliveriesPerSec: Math.round(r.deliveriesPerSec),
    messagesPerSec: Math.round(r.messagesPerSec * 10) / 10,
    p50Ms: Math.round(r.hist.percentile(50) * 100) / 100,
    p99Ms: Math.round(r.hist.percentile(99) * 100) / 100,
    maxMs: Math.round(r.hist.max * 100) / 100,
    delivered: r.deliveries,
    expected: r.expectedDeliveries,
    sendErrors: r.sendErrors,
  };
}
