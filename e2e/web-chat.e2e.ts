/**
 * The web client in real Chromium against a really started server (MSG-1, MSG-4, MSG-5):
 * two people chat in real time in two browser contexts; a message written offline is
 * delivered exactly once after reconnecting; threads, reactions, edits; the UI in 中文.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ConclaveClient } from '@conclave/sdk';
import { ConclaveClient as Client } from '@conclave/sdk';
import { screenshotPath, type RunningServer } from './harness';
import { closeWebSuite, newPage, signIn, startWebSuite, type WebServer } from './web-support';

const PW = 'a-long-e2e-passphrase-1';
const people = {
  alice: { email: 'alice@e2e.local', name: 'Alice Chen' },
  bob: { email: 'bob@e2e.local', name: 'Bob Martin' },
  fang: { email: 'fang@e2e.local', name: '王芳' },
  omar: { email: 'omar@e2e.local', name: 'Omar Haddad' },
};
type Who = keyof typeof people;

describe('web client: chat', () => {
  let server: RunningServer;
  let web: WebServer;
  let browser: Browser;
  let admin: ConclaveClient;
  const ids = {} as Record<Who, string>;
  const clients = {} as Record<Who, ConclaveClient>;
  let general = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ({ server, web, browser, admin } = await startWebSuite());
    for (const [k, p] of Object.entries(people) as [Who, (typeof people)[Who]][]) {
      const { user } = await admin.users.create({ email: p.email, name: p.name, role: 'member', password: PW });
      ids[k] = user.id;
      clients[k] = new Client({ baseUrl: server.url });
      await clients[k].login(p.email, PW);
    }
    // A workspace that looks lived in: channels, a group, DMs, history with reactions and a thread.
    const all = Object.values(ids);
    general = (await clients.alice.conversations.create({ kind: 'channel', name: 'general', topic: 'Company-wide announcements and chatter', memberIds: all })).conversation.id;
    const ops = (await clients.bob.conversations.create({ kind: 'channel', name: 'plant-operations', topic: 'Shift handover, line status, incidents', memberIds: all })).conversation.id;
    await clients.omar.conversations.create({ kind: 'channel', name: 'security-notices', memberIds: [ids.omar, ids.alice] });
    const launch = (await clients.fang.conversations.create({ kind: 'group', name: 'Q3 launch', memberIds: [ids.alice, ids.bob, ids.fang] })).conversation.id;
    const dmFang = (await clients.fang.conversations.create({ kind: 'dm', memberIds: [ids.alice] })).conversation.id;
    await clients.omar.conversations.create({ kind: 'dm', memberIds: [ids.alice] });
    const say = (who: Who, conv: string, text: string, extra: { threadRootId?: string; mentions?: string[] } = {}) =>
      clients[who].messages.send(conv, { text, ...extra }).then((r) => r.message);
    await say('bob', general, 'Morning all — the new badge readers go live at the north gate today.');
    const q = await say('fang', general, '大家好！Reminder: the supplier audit starts at 14:00 in room 3B.');
    await clients.alice.messages.react(general, q.id, '👍');
    await clients.bob.messages.react(general, q.id, '👍');
    await clients.omar.messages.react(general, q.id, '🙏');
    const root = await say('omar', general, 'Please rotate your VPN certificates before Friday. Instructions: https://intranet.example/vpn');
    await say('alice', general, 'Done for the finance laptops. Any issue with the old Windows images?', { threadRootId: root.id });
    await say('omar', general, 'Only the 2019 image — IT will reimage those on Thursday.', { threadRootId: root.id });
    await say('bob', general, `@${people.alice.name} can you share the shift plan for next week?`, { mentions: [ids.alice] });
    await say('bob', ops, 'Line 2 back to full speed after the sensor swap.');
    await say('fang', launch, 'Draft of the launch checklist is in the shared folder.');
    await say('fang', dmFang, '下午的会议改到三点，可以吗？');
  });

  afterAll(async () => closeWebSuite({ contexts, browser, clients: [admin, ...Object.values(clients)], web, server }));

  async function open(who: Who, locale?: string): Promise<Page> {
    const page = await newPage(browser, contexts, { locale });
    await signIn(page, web.url, people[who].email, PW);
    await page.getByRole('navigation', { name: 'Conversations' }).waitFor();
    return page;
  }

  async function openConversation(page: Page, name: string): Promise<void> {
    await page.locator('.conv-item', { hasText: name }).first().click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
  }

  const texts = (page: Page, text: string) => page.locator('.msg:not(.pending) .msg-text', { hasText: text });

  it('two people chat in real time, with unread badges, typing, reactions and a thread', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    await openConversation(alice, 'general');

    // Unread and mention badges: from the server's counts, then live.
    const dm = alice.locator('.conv-item', { hasText: people.fang.name });
    await expect.poll(() => dm.getAttribute('aria-label')).toMatch(/1 unread message$/);
    const ops = alice.locator('.conv-item', { hasText: 'plant-operations' });
    await clients.bob.messages.send((await clients.bob.conversations.list()).conversations.find((c) => c.name === 'plant-operations')!.id,
      { text: `@${people.alice.name} the torque sensor report is ready`, mentions: [ids.alice] });
    await expect.poll(() => ops.getAttribute('aria-label')).toMatch(/1 mention, 2 unread messages/);
    await openConversation(alice, 'plant-operations');
    await expect.poll(() => ops.getAttribute('aria-label')).toBe('plant-operations');
    await openConversation(alice, 'general');
    await texts(alice, 'supplier audit').waitFor();
    await openConversation(bob, 'general');

    const composer = alice.getByTestId('composer');
    await composer.fill('Sure — sending the plan in a minute.');
    await expect.poll(() => bob.locator('.typing').textContent()).toContain('Alice Chen is typing');
    await composer.press('Enter');
    await texts(bob, 'sending the plan in a minute').waitFor({ timeout: 5000 });

    await bob.getByTestId('composer').fill('Thanks! 谢谢');
    await bob.getByTestId('composer').press('Enter');
    await texts(alice, 'Thanks! 谢谢').waitFor({ timeout: 5000 });

    // React on Bob's side, see it on Alice's.
    const msg = bob.locator('.msg', { hasText: 'sending the plan in a minute' });
    await msg.hover();
    await msg.getByRole('button', { name: 'Add reaction' }).click();
    await bob.getByRole('menuitem', { name: '🎉' }).click();
    await alice.locator('.msg', { hasText: 'sending the plan in a minute' }).locator('.reaction', { hasText: '🎉' }).waitFor();

    // Edit own message (Up arrow in the empty composer edits the last one).
    await composer.press('ArrowUp');
    const edit = alice.getByTestId('edit-input');
    await edit.fill('Sure — sending the plan in five minutes.');
    await edit.press('Enter');
    await texts(bob, 'in five minutes').waitFor();
    await expect.poll(() => bob.locator('.msg', { hasText: 'in five minutes' }).locator('.msg-edited').count()).toBe(1);

    await alice.screenshot({ path: screenshotPath('web-chat') });

    // Thread in the side panel.
    await alice.locator('.thread-summary').first().click();
    const panel = alice.getByRole('complementary', { name: 'Thread' });
    await panel.locator('.msg-text', { hasText: 'Only the 2019 image' }).waitFor();
    await panel.getByTestId('thread-composer').fill('Thanks Omar, I will tell the finance team.');
    await panel.getByTestId('thread-composer').press('Enter');
    await panel.locator('.msg:not(.pending) .msg-text', { hasText: 'tell the finance team' }).waitFor();
    await expect.poll(() => bob.locator('.thread-summary').first().textContent()).toContain('3 replies');
    await alice.screenshot({ path: screenshotPath('web-thread') });
    await alice.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });

  it('a message written offline is sent once on reconnect', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    await openConversation(alice, 'general');
    await openConversation(bob, 'general');
    await texts(alice, 'supplier audit').waitFor();

    await alice.context().setOffline(true);
    await alice.getByTestId('composer').fill('Written on the train, offline');
    await alice.getByTestId('composer').press('Enter');
    await alice.locator('.msg.pending', { hasText: 'Written on the train' }).waitFor();
    await alice.getByTestId('connection-banner').waitFor();
    await expect.poll(() => alice.locator('.msg.pending .pending-state').textContent(), { timeout: 10_000 }).toContain('Not sent yet');
    await alice.screenshot({ path: screenshotPath('web-offline') });
    expect(await texts(bob, 'Written on the train').count()).toBe(0);

    await alice.context().setOffline(false);
    await texts(bob, 'Written on the train').waitFor({ timeout: 15_000 });
    await texts(alice, 'Written on the train').waitFor({ timeout: 15_000 });
    await alice.waitForTimeout(2500);
    expect(await texts(bob, 'Written on the train').count()).toBe(1);
    expect(await texts(alice, 'Written on the train').count()).toBe(1);
    expect(await alice.locator('.msg.pending').count()).toBe(0);
    const { messages } = await clients.bob.messages.list(general, { limit: 100 });
    expect(messages.filter((m) => m.text === 'Written on the train, offline')).toHaveLength(1);
  });

  it('Ctrl+K switches conversations from the keyboard', async () => {
    const alice = await open('alice');
    // As a user would: once the last conversation has opened (it takes focus on load).
    await alice.getByRole('heading', { level: 1 }).waitFor();
    await alice.getByTestId('composer').waitFor();
    await alice.keyboard.press('Control+k');
    await alice.getByTestId('switcher-input').fill('plant');
    await alice.getByRole('option', { name: /plant-operations/ }).waitFor();
    await alice.keyboard.press('Enter');
    await alice.getByRole('heading', { level: 1, name: 'plant-operations' }).waitFor();
  });

  it('confidential conversations carry the viewer\'s watermark; internal ones do not (DLP-2)', async () => {
    await admin.users.update(ids.alice, { clearance: 'confidential' });
    await admin.users.update(ids.bob, { clearance: 'confidential' });
    const board = (await clients.alice.conversations.create({ kind: 'group', name: 'Board papers', level: 'confidential', memberIds: [ids.bob] })).conversation;
    expect(board.watermarked).toBe(true);
    await clients.bob.messages.send(board.id, { text: 'Draft minutes of the acquisition committee attached tomorrow.' });
    const alice = await open('alice');
    await openConversation(alice, 'Q3 launch');
    expect(await alice.getByTestId('watermark').count()).toBe(0);
    await openConversation(alice, 'Board papers');
    const mark = alice.getByTestId('watermark');
    await mark.waitFor();
    expect(await mark.getAttribute('data-label')).toContain(`${people.alice.name} · ${ids.alice}`);
    expect(await mark.getAttribute('aria-hidden')).toBe('true');
    // It never gets in the way: the composer still takes input under it.
    await alice.getByTestId('composer').fill('Noted.');
    await alice.screenshot({ path: screenshotPath('chat-watermark.png') });
  });

  it('switches the whole UI to Simplified Chinese', async () => {
    const alice = await open('alice');
    await alice.goto(web.url + '/settings/preferences');
    await alice.getByTestId('language-select').selectOption('zh-CN');
    await alice.getByRole('heading', { name: '偏好设置', level: 2 }).waitFor();
    expect(await alice.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await alice.getByRole('button', { name: '返回聊天' }).click();
    await openConversation(alice, 'general');
    await alice.getByRole('navigation', { name: '会话' }).waitFor();
    await alice.locator('.day-sep', { hasText: '今天' }).first().waitFor();
    await alice.screenshot({ path: screenshotPath('web-zh-CN') });
  });
});
