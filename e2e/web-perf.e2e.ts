/**
 * Web client figures (printed, never asserted as timings — ARCHITECTURE.md): JS the chat
 * route loads (gzipped), time from navigation to a usable chat on localhost, and scrolling a
 * 10,000-message conversation (frame times while flinging through all of it). What is
 * asserted is functional: all 10k messages load, and the DOM holds only a window of them.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ConclaveClient, type ConclaveClient as Client } from '@conclave/sdk';
import type { RunningServer } from './harness';
import { closeWebSuite, DIST, signIn, startWebSuite, webContext, type WebServer } from './web-support';

const N = Number(process.env.CONCLAVE_WEB_BENCH_MESSAGES ?? 10_000);
const PW = 'a-long-e2e-passphrase-1';

describe('web client: size, load and a 10k-message conversation', () => {
  let server: RunningServer;
  let web: WebServer;
  let browser: Browser;
  let admin: Client;
  let alice: Client;

  beforeAll(async () => {
    ({ server, web, browser, admin } = await startWebSuite());
    const { user } = await admin.users.create({ email: 'alice@e2e.local', name: 'Alice Chen', role: 'member', password: PW });
    alice = new ConclaveClient({ baseUrl: server.url });
    await alice.login('alice@e2e.local', PW);
    const { conversation } = await admin.conversations.create({ kind: 'channel', name: 'firehose', memberIds: [user.id] });
    const started = Date.now();
    let next = 0;
    const words = 'line pressure nominal shift handover torque sensor batch audit reading within tolerance'.split(' ');
    await Promise.all(Array.from({ length: 16 }, async (_, w) => {
      for (let i = next++; i < N; i = next++) {
        const text = `#${i + 1} ${Array.from({ length: 4 + (i % 23) }, (_, k) => words[(i + k) % words.length]).join(' ')}`;
        await (w % 2 ? admin : alice).messages.send(conversation.id, { text });
      }
    }));
    console.log(`[web-perf] seeded ${N} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 600_000);

  afterAll(async () => closeWebSuite({ contexts: [], browser, clients: [alice, admin], web, server }));

  it('prints the chat route JS size', () => {
    const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
    const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    const gz = files.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(path.join(DIST, f)), { level: 9 }).length, 0);
    console.log(`[web-perf] chat route JS: ${(gz / 1024).toFixed(1)} KB gzipped in ${files.length} files (target < 300 KB)`);
    expect(files.length).toBeGreaterThan(0);
  });

  it(`loads and scrolls a ${N}-message conversation with a windowed DOM`, async () => {
    const ctx = await webContext(browser);
    const page = await ctx.newPage();
    const t0 = Date.now();
    await signIn(page, web.url, 'alice@e2e.local', PW);
    await page.getByRole('heading', { level: 1, name: 'firehose' }).waitFor();
    await page.locator('.msg').first().waitFor();
    console.log(`[web-perf] sign-in to first messages shown: ${Date.now() - t0} ms`);

    const t1 = Date.now();
    await page.reload();
    await page.getByTestId('composer').waitFor();
    await page.locator('.msg').first().waitFor();
    console.log(`[web-perf] reload to interactive chat (composer + messages): ${Date.now() - t1} ms`);

    // Scroll to the top until the start of the conversation is reached: every page of history loads.
    const t2 = Date.now();
    const timeline = page.locator('.timeline');
    for (let i = 0; i < 400; i++) {
      if (await page.locator('.conv-start').count()) break;
      await timeline.evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
      await page.waitForTimeout(60);
    }
    await page.locator('.conv-start').waitFor({ timeout: 60_000 });
    console.log(`[web-perf] loaded all ${N} messages by scrolling up: ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    await page.locator('.msg-text', { hasText: /^#1 / }).waitFor();
    const rows = await page.locator('.vrow').count();
    console.log(`[web-perf] DOM rows while ${N} messages are loaded: ${rows}`);
    expect(rows).toBeLessThan(150);

    // Fling from the top to the bottom; measure frame intervals.
    const stats = await timeline.evaluate(async (el) => {
      const frames: number[] = [];
      const step = Math.max(400, Math.ceil(el.scrollHeight / 600));
      let last = performance.now();
      await new Promise<void>((resolve) => {
        const tick = (now: number) => {
          frames.push(now - last);
          last = now;
          if (el.scrollTop + el.clientHeight >= el.scrollHeight - 2 || frames.length > 2000) return resolve();
          el.scrollTop += step;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      frames.shift();
      const sorted = [...frames].sort((a, b) => a - b);
      const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
      return { frames: frames.length, step, p50: q(0.5), p95: q(0.95), max: sorted[sorted.length - 1], over50: frames.filter((f) => f > 50).length };
    });
    console.log(`[web-perf] fling through ${N} messages (${stats.step}px/frame, ${stats.frames} frames): p50 ${stats.p50.toFixed(1)} ms, p95 ${stats.p95.toFixed(1)} ms, max ${stats.max.toFixed(1)} ms, frames > 50 ms: ${stats.over50}`);
    expect(await page.locator('.vrow').count()).toBeLessThan(150);
    await ctx.close();
  });
});
