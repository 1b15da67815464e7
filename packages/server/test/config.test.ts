/** Configuration (OPS-1): defaults, and a clear error naming each bad variable. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@conclave/server';

describe('config', () => {
  it('has working defaults: port 8080, ./data, SQLite in the data dir, key file beside it', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.databaseUrl).toBe(`sqlite:${path.resolve('./data/conclave.db')}`);
    expect(c.keyFile).toBe(path.resolve('./data/master.key'));
  });

  it('selects PostgreSQL from CONCLAVE_DATABASE_URL', () => {
    expect(loadConfig({ CONCLAVE_DATABASE_URL: 'postgres://u@h/db' }).databaseUrl).toBe('postgres://u@h/db');
  });

  it('names every bad variable', () => {
    let err: unknown;
    try {
      loadConfig({ CONCLAVE_PORT: 'eighty', CONCLAVE_LOG_LEVEL: 'loud', CONCLAVE_REDIS_URL: 'http://x' });
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('CONCLAVE_PORT');
    expect(msg).toContain('CONCLAVE_LOG_LEVEL');
    expect(msg).toContain('CONCLAVE_REDIS_URL');
  });
});
