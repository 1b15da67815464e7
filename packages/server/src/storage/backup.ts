/**
 * Key-less backups (GOV-2, OPS-1). A Conclave backup holds the database and the encrypted
 * blobs but NOT the data keys: every `data_keys.wrapped` is blanked in the copy. Restoring
 * takes the keys from the live deployment's key table — so anything crypto-shredded after the
 * backup was taken (retention, erasure, deleted files) stays unreadable in the restored copy,
 * while everything still live (held items included) comes back. The master key alone is
 * useless for a backup: the keys it would unwrap are not in it.
 *
 * SQLite deployments with the filesystem blob store are backed up here (`conclave backup`);
 * for PostgreSQL and S3, docs/GOVERNANCE.md gives the equivalent pg_dump / bucket-copy recipe.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Config } from '../config/config';

export interface BackupManifest {
  format: 'conclave-backup';
  version: 1;
  createdAt: number;
  database: string;
  blobs: string | null;
  /** Data keys whose material was left out (restore takes them from the live deployment). */
  keysOmitted: number;
}

function sqliteFile(config: Config): string {
  const url = config.databaseUrl;
  if (/^postgres(ql)?:\/\//.test(url)) throw new Error('conclave backup handles SQLite deployments; for PostgreSQL see docs/GOVERNANCE.md (pg_dump without data_keys key material)');
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
}

function blobDir(config: Config): string | null {
  if (config.s3) return null;
  return config.blobDir ?? path.join(config.dataDir, 'blobs');
}

/** Writes a key-less backup of the deployment `config` into the empty directory `outDir`. */
export function createBackup(config: Config, outDir: string, now = Date.now()): BackupManifest {
  fs.mkdirSync(outDir, { recursive: true, mode: 0o700 });
  if (fs.readdirSync(outDir).length) throw new Error(`${outDir} is not empty`);
  const dbOut = path.join(outDir, 'conclave.db');
  const live = new SQLite(sqliteFile(config), { fileMustExist: true });
  try {
    live.pragma('busy_timeout = 5000');
    // A consistent snapshot even while the server writes (WAL readers see one transaction state).
    live.prepare('VACUUM INTO ?').run(dbOut);
  } finally {
    live.close();
  }
  const copy = new SQLite(dbOut);
  let keysOmitted: number;
  try {
    keysOmitted = Number(copy.prepare("UPDATE data_keys SET wrapped = x''").run().changes);
    copy.exec('VACUUM'); // drop the freed pages that still held the wrapped keys
  } finally {
    copy.close();
  }
  const blobs = blobDir(config);
  if (blobs && fs.existsSync(blobs)) fs.cpSync(blobs, path.join(outDir, 'blobs'), { recursive: true });
  const manifest: BackupManifest = {
    format: 'conclave-backup', version: 1, createdAt: now, database: 'conclave.db', blobs: blobs && fs.existsSync(blobs) ? 'blobs' : null, keysOmitted,
  };
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

export interface RestoreResult { keysRestored: number; keysGone: number }

/**
 * Restores backup `fromDir` as a new deployment in the empty directory `toDataDir`, taking
 * data keys from the live deployment `live` (its database; the master key file is copied so
 * the restored deployment can unwrap them). Keys destroyed or missing there stay destroyed.
 */
export function restoreBackup(fromDir: string, toDataDir: string, live: Config): RestoreResult {
  const manifest = JSON.parse(fs.readFileSync(path.join(fromDir, 'manifest.json'), 'utf8')) as BackupManifest;
  if (manifest.format !== 'conclave-backup' || manifest.version !== 1) throw new Error(`${fromDir} is not a Conclave backup`);
  fs.mkdirSync(toDataDir, { recursive: true, mode: 0o700 });
  if (fs.readdirSync(toDataDir).length) throw new Error(`${toDataDir} is not empty`);
  const dbOut = path.join(toDataDir, 'conclave.db');
  fs.copyFileSync(path.join(fromDir, manifest.database), dbOut);
  if (manifest.blobs) fs.cpSync(path.join(fromDir, manifest.blobs), path.join(toDataDir, 'blobs'), { recursive: true });
  fs.copyFileSync(live.keyFile, path.join(toDataDir, 'master.key'));
  fs.chmodSync(path.join(toDataDir, 'master.key'), 0o600);

  const source = new SQLite(sqliteFile(live), { readonly: true, fileMustExist: true });
  const target = new SQLite(dbOut);
  try {
    const liveKey = source.prepare('SELECT kek_id, wrapped FROM data_keys WHERE id = ? AND destroyed_at IS NULL');
    const restore = target.prepare('UPDATE data_keys SET kek_id = ?, wrapped = ? WHERE id = ?');
    const gone = target.prepare('UPDATE data_keys SET destroyed_at = coalesce(destroyed_at, ?) WHERE id = ?');
    const ids = target.prepare('SELECT id FROM data_keys').all() as Array<{ id: string }>;
    let keysRestored = 0;
    let keysGone = 0;
    const now = Date.now();
    target.transaction(() => {
      for (const { id } of ids) {
        const k = liveKey.get(id) as { kek_id: string; wrapped: Buffer } | undefined;
        if (k && k.wrapped.length) { restore.run(k.kek_id, k.wrapped, id); keysRestored++; } else { gone.run(now, id); keysGone++; }
      }
    })();
    return { keysRestored, keysGone };
  } finally {
    source.close();
    target.close();
  }
}
