/** Helpers for the MLS suites: a device = an MlsClient over encrypted file storage, fed by the user's event stream. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConclaveClient, EncryptedStorage, FileStorage, MlsClient, type MlsClientEvent, type Subscription } from '@conclave/sdk';
import type { TestServer, TestUser } from '@conclave/testkit';

export interface Device {
  mls: MlsClient;
  user: TestUser;
  dir: string;
  key: Uint8Array;
  events: MlsClientEvent[];
  sub: Subscription | null;
  /** Starts live delivery (WebSocket) into the MLS client. */
  live(): void;
  close(): void;
}

const dirs: string[] = [];

/** Opens a device of `user` (a fresh client login when `newSession`), with its own encrypted storage. */
export async function openDevice(t: TestServer, user: TestUser, opts: { name?: string; dir?: string; key?: Uint8Array; client?: ConclaveClient; upload?: boolean } = {}): Promise<Device> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'conclave-mls-client-'));
  if (!opts.dir) dirs.push(dir);
  const key = opts.key ?? randomBytes(32);
  const events: MlsClientEvent[] = [];
  const client = opts.client ?? user.client;
  const storage = await EncryptedStorage.open(new FileStorage(dir), key);
  // Tests keep small KeyPackage stocks: generating the default 50 per device only costs time.
  const mls = await MlsClient.open({ client, storage, deviceName: opts.name ?? 'laptop', onEvent: (e) => events.push(e), uploadKeyPackages: opts.upload, keyPackageTarget: 3 });
  const d: Device = {
    mls, user, dir, key, events, sub: null,
    live() {
      d.sub = client.subscribe((e) => { void mls.handleEvent(e); });
    },
    close() { d.sub?.close(); },
  };
  void t;
  return d;
}

/** A second logged-in client for the same user (another device). */
export async function loginAgain(t: TestServer, user: TestUser): Promise<ConclaveClient> {
  const c = t.client();
  await c.login(user.user.email, user.password);
  return c;
}

export function cleanupDirs(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Decrypted texts of a conversation as `device` sees them. */
export async function texts(device: Device, conversationId: string): Promise<Array<string | null>> {
  return (await device.mls.messages(conversationId)).map((m) => m.text);
}
