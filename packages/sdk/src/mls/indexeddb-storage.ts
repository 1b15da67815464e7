/**
 * Browser storage for MLS key state: one IndexedDB object store. Wrap it in EncryptedStorage
 * with a non-extractable AES key (itself storable in IndexedDB as a CryptoKey), so the values
 * on disk are ciphertext even for someone who copies the browser profile.
 */
import type { MlsStorage } from './storage';

const STORE = 'entries';

export class IndexedDbStorage implements MlsStorage {
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly name = 'conclave-mls', private readonly factory: IDBFactory | undefined = globalThis.indexedDB) {}

  private open(): Promise<IDBDatabase> {
    if (!this.factory) return Promise.reject(new Error('IndexedDB is not available here'));
    this.db ??= new Promise((resolve, reject) => {
      const req = this.factory!.open(this.name, 1);
      req.onupgradeneeded = () => { req.result.createObjectStore(STORE); };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return this.db;
  }

  private async run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest): Promise<T> {
    const db = await this.open();
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result as T);
      tx.onerror = () => reject(tx.error ?? req.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const v = await this.run<ArrayBuffer | Uint8Array | undefined>('readonly', (s) => s.get(key));
    return v === undefined ? undefined : new Uint8Array(v);
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    await this.run('readwrite', (s) => s.put(value, key));
  }

  async delete(key: string): Promise<void> {
    await this.run('readwrite', (s) => s.delete(key));
  }

  async keys(prefix: string): Promise<string[]> {
    const all = await this.run<IDBValidKey[]>('readonly', (s) => s.getAllKeys());
    return all.map(String).filter((k) => k.startsWith(prefix));
  }
}
