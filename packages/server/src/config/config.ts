/**
 * One typed configuration object (env + CLI overrides), validated with zod. A bad value stops
 * start-up with a message naming the variable. Documented in docs/CONFIGURATION.md.
 */
import path from 'node:path';
import { z } from 'zod';
import type { S3Options } from '../storage/blobs/s3-blob-store';

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Environment variables understood by the server, with defaults. */
export const ENV_SCHEMA = z.object({
  CONCLAVE_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  CONCLAVE_HOST: z.string().min(1).default('0.0.0.0'),
  CONCLAVE_DATA_DIR: z.string().min(1).default('./data'),
  CONCLAVE_DATABASE_URL: z.string().min(1).optional(),
  CONCLAVE_KEY_FILE: z.string().min(1).optional(),
  CONCLAVE_MASTER_KEY: z.string().min(1).optional(),
  CONCLAVE_LOG_LEVEL: LogLevel.default('info'),
  CONCLAVE_ADMIN_EMAIL: z.email().optional(),
  CONCLAVE_ADMIN_PASSWORD: z.string().min(1).optional(),
  CONCLAVE_ORG_NAME: z.string().min(1).max(200).default('Conclave'),
  CONCLAVE_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  CONCLAVE_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(2 * 1024 * 1024),
  CONCLAVE_WS_MAX_BUFFER_BYTES: z.coerce.number().int().min(16 * 1024).default(1024 * 1024),
  CONCLAVE_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  CONCLAVE_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  CONCLAVE_BLOB_DIR: z.string().min(1).optional(),
  CONCLAVE_S3_ENDPOINT: z.url().optional(),
  CONCLAVE_S3_BUCKET: z.string().min(3).max(63).optional(),
  CONCLAVE_S3_REGION: z.string().min(1).default('us-east-1'),
  CONCLAVE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  CONCLAVE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  CONCLAVE_S3_PREFIX: z.string().regex(/^([A-Za-z0-9_-]+\/)*$/, 'must be empty or path segments ending in /').optional(),
  CONCLAVE_CLAMD_URL: z.string().regex(/^tcp:\/\/[^:/]+:\d+$/, 'must be tcp://host:port').optional(),
  CONCLAVE_UPLOAD_CHUNK_BYTES: z.coerce.number().int().min(64 * 1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
  CONCLAVE_WEB_DIR: z.string().min(1).optional(),
  CONCLAVE_UPLOAD_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(24),
  // ---- data residency (GOV-4): integrations that may never call out, comma-separated, or `all` ----
  CONCLAVE_OUTBOUND_BLOCK: z.string().regex(/^(all|alert_webhook)(,(all|alert_webhook))*$/, 'must be `all` or a comma-separated list of: alert_webhook').optional(),
  // ---- data governance (GOV-1): hours between scheduled retention runs; 0 = only manual runs ----
  CONCLAVE_RETENTION_INTERVAL_HOURS: z.coerce.number().min(0).max(480).default(24),
  // ---- audit trail and security alerts (AUD-2, AUD-3, MON-1) ----
  CONCLAVE_AUDIT_CHECKPOINT_ROWS: z.coerce.number().int().min(1).max(10_000_000).default(1000),
  CONCLAVE_AUDIT_CHECKPOINT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  CONCLAVE_AUDIT_EXPORT_MAX_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  CONCLAVE_ALERT_SCAN_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  CONCLAVE_ALERT_BRUTE_FORCE_FAILURES: z.coerce.number().int().min(2).max(100_000).default(10),
  CONCLAVE_ALERT_BRUTE_FORCE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(15),
  CONCLAVE_ALERT_TRAVEL_WINDOW_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
  CONCLAVE_ALERT_EXPORT_ROWS: z.coerce.number().int().min(1).max(100_000_000).default(10_000),
  CONCLAVE_ALERT_DOWNLOADS: z.coerce.number().int().min(1).max(1_000_000).default(100),
  CONCLAVE_ALERT_BULK_WINDOW_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
  CONCLAVE_ALERT_BUSINESS_HOURS: z.string().regex(/^([01]\d|2[0-3])-([01]\d|2[0-4])$/, 'must be HH-HH, e.g. 08-19').refine((v) => Number(v.slice(0, 2)) < Number(v.slice(3)), 'the start hour must be before the end hour').default('07-20'),
  CONCLAVE_ALERT_BUSINESS_DAYS: z.string().regex(/^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?(,(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?)*$/, 'must be days such as mon-fri or mon,wed,fri').default('mon-fri'),
  CONCLAVE_ALERT_TIMEZONE: z.string().refine(validTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
  CONCLAVE_ALERT_PRIVILEGE_PROBES: z.coerce.number().int().min(2).max(100_000).default(5),
  CONCLAVE_ALERT_WEBHOOK_URL: z.string().regex(/^https?:\/\/[^\s/]+/, 'must be an http:// or https:// URL').optional(),
  CONCLAVE_ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  // ---- WebAuthn second factor (IAM-1): checked together in webauthnConfig() ----
  CONCLAVE_WEBAUTHN_RP_ID: z.string().optional(),
  CONCLAVE_WEBAUTHN_ORIGIN: z.string().optional(),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  /** PostgreSQL schema (search_path) — tests isolate each server in its own. */
  databaseSchema?: string;
  keyFile: string;
  masterKey?: string;
  logLevel: z.infer<typeof LogLevel>;
  adminEmail?: string;
  adminPassword?: string;
  orgName: string;
  redisUrl?: string;
  maxBodyBytes: number;
  wsMaxBufferBytes: number;
  trustProxy: boolean;
  shutdownGraceMs: number;
  /** Built web client to serve at / (default packages/web/dist; `npm start` builds it). */
  webDir?: string;
  /** Filesystem blob store root (default `<data dir>/blobs`); ignored when `s3` is set. */
  blobDir?: string;
  /** S3-compatible blob store, when CONCLAVE_S3_ENDPOINT and CONCLAVE_S3_BUCKET are set. */
  s3?: S3Options;
  /** clamd to scan uploads with (tcp://host:port); without it only the built-in block list applies. */
  clamdUrl?: string;
  /** Largest chunk of one upload request. */
  uploadChunkBytes: number;
  /** How long an unfinished upload is kept. */
  uploadTtlMs: number;
  /** Sign an audit checkpoint after this many new rows… (AUD-2) */
  auditCheckpointRows: number;
  /** …or after this long with at least one new row. */
  auditCheckpointIntervalMs: number;
  /** Largest range one API export may hold (the CLI exports any range). */
  auditExportMaxRows: number;
  /** Security alert rules (MON-1). */
  alerts: AlertConfig;
  /** Integrations blocked from calling out whatever their own settings say (GOV-4). */
  outboundBlock: string[];
  /** Time between scheduled retention runs (GOV-1); 0 disables the schedule. */
  retentionIntervalMs: number;
  /** Security keys (IAM-1): the relying party id and the origins browsers may sign in from. */
  webauthn: WebAuthnConfig;
}

/** WebAuthn relying party (docs/CONFIGURATION.md). */
export interface WebAuthnConfig {
  /** A registrable domain (`chat.example.com`), never a URL or IP address; keys are bound to it. */
  rpId: string;
  /** Exact origins (`https://chat.example.com`) whose pages may use the keys; each on rpId or a subdomain. */
  origins: string[];
}

/** Thresholds of the security alert rules (docs/CONFIGURATION.md, docs/AUDIT-FORMAT.md). */
export interface AlertConfig {
  scanIntervalMs: number;
  bruteForceFailures: number;
  bruteForceWindowMs: number;
  travelWindowMs: number;
  exportRows: number;
  downloads: number;
  bulkWindowMs: number;
  /** Business hours [start, end) in `timeZone`, on `businessDays` (0 = Sunday). */
  businessHours: { start: number; end: number };
  businessDays: number[];
  timeZone: string;
  /** Denied privileged attempts by one user within the brute-force window. */
  privilegeProbes: number;
  /** Only when an administrator sets it is anything sent out (GOV-4). */
  webhookUrl?: string;
  webhookSecret?: string;
}

export class ConfigError extends Error {}

/** Builds the config from environment variables (and overrides), or throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = ENV_SCHEMA.safeParse(Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('CONCLAVE_') && v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(overrides.dataDir ?? e.CONCLAVE_DATA_DIR);
  return {
    port: e.CONCLAVE_PORT,
    host: e.CONCLAVE_HOST,
    dataDir,
    databaseUrl: e.CONCLAVE_DATABASE_URL ?? `sqlite:${path.join(dataDir, 'conclave.db')}`,
    keyFile: e.CONCLAVE_KEY_FILE ?? path.join(dataDir, 'master.key'),
    masterKey: e.CONCLAVE_MASTER_KEY,
    logLevel: e.CONCLAVE_LOG_LEVEL,
    adminEmail: e.CONCLAVE_ADMIN_EMAIL,
    adminPassword: e.CONCLAVE_ADMIN_PASSWORD,
    orgName: e.CONCLAVE_ORG_NAME,
    redisUrl: e.CONCLAVE_REDIS_URL,
    maxBodyBytes: e.CONCLAVE_MAX_BODY_BYTES,
    wsMaxBufferBytes: e.CONCLAVE_WS_MAX_BUFFER_BYTES,
    trustProxy: e.CONCLAVE_TRUST_PROXY === 'true',
    webDir: e.CONCLAVE_WEB_DIR ? path.resolve(e.CONCLAVE_WEB_DIR) : undefined,
    shutdownGraceMs: e.CONCLAVE_SHUTDOWN_GRACE_MS,
    blobDir: e.CONCLAVE_BLOB_DIR ? path.resolve(e.CONCLAVE_BLOB_DIR) : undefined,
    s3: s3Options(e),
    clamdUrl: e.CONCLAVE_CLAMD_URL,
    uploadChunkBytes: e.CONCLAVE_UPLOAD_CHUNK_BYTES,
    uploadTtlMs: e.CONCLAVE_UPLOAD_TTL_HOURS * 3_600_000,
    auditCheckpointRows: e.CONCLAVE_AUDIT_CHECKPOINT_ROWS,
    auditCheckpointIntervalMs: e.CONCLAVE_AUDIT_CHECKPOINT_SECONDS * 1000,
    auditExportMaxRows: e.CONCLAVE_AUDIT_EXPORT_MAX_ROWS,
    outboundBlock: e.CONCLAVE_OUTBOUND_BLOCK ? e.CONCLAVE_OUTBOUND_BLOCK.split(',') : [],
    retentionIntervalMs: Math.round(e.CONCLAVE_RETENTION_INTERVAL_HOURS * 3_600_000),
    webauthn: webauthnConfig(e.CONCLAVE_WEBAUTHN_RP_ID, e.CONCLAVE_WEBAUTHN_ORIGIN, overrides.port ?? e.CONCLAVE_PORT),
    alerts: {
      scanIntervalMs: e.CONCLAVE_ALERT_SCAN_SECONDS * 1000,
      bruteForceFailures: e.CONCLAVE_ALERT_BRUTE_FORCE_FAILURES,
      bruteForceWindowMs: e.CONCLAVE_ALERT_BRUTE_FORCE_WINDOW_MINUTES * 60_000,
      travelWindowMs: e.CONCLAVE_ALERT_TRAVEL_WINDOW_MINUTES * 60_000,
      exportRows: e.CONCLAVE_ALERT_EXPORT_ROWS,
      downloads: e.CONCLAVE_ALERT_DOWNLOADS,
      bulkWindowMs: e.CONCLAVE_ALERT_BULK_WINDOW_MINUTES * 60_000,
      businessHours: { start: Number(e.CONCLAVE_ALERT_BUSINESS_HOURS.slice(0, 2)), end: Number(e.CONCLAVE_ALERT_BUSINESS_HOURS.slice(3)) },
      businessDays: parseDays(e.CONCLAVE_ALERT_BUSINESS_DAYS),
      timeZone: e.CONCLAVE_ALERT_TIMEZONE,
      privilegeProbes: e.CONCLAVE_ALERT_PRIVILEGE_PROBES,
      webhookUrl: e.CONCLAVE_ALERT_WEBHOOK_URL,
      webhookSecret: e.CONCLAVE_ALERT_WEBHOOK_SECRET,
    },
    ...overrides,
  };
}

function s3Options(e: z.infer<typeof ENV_SCHEMA>): S3Options | undefined {
  if (!e.CONCLAVE_S3_ENDPOINT && !e.CONCLAVE_S3_BUCKET) return undefined;
  const missing = (['CONCLAVE_S3_ENDPOINT', 'CONCLAVE_S3_BUCKET', 'CONCLAVE_S3_ACCESS_KEY_ID', 'CONCLAVE_S3_SECRET_ACCESS_KEY'] as const).filter((k) => !e[k]);
  if (missing.length) throw new ConfigError(`Invalid configuration:\n${missing.map((k) => `  ${k}: required when S3 storage is configured`).join('\n')}`);
  return {
    endpoint: e.CONCLAVE_S3_ENDPOINT!, bucket: e.CONCLAVE_S3_BUCKET!, region: e.CONCLAVE_S3_REGION,
    accessKeyId: e.CONCLAVE_S3_ACCESS_KEY_ID!, secretAccessKey: e.CONCLAVE_S3_SECRET_ACCESS_KEY!, prefix: e.CONCLAVE_S3_PREFIX,
  };
}

/**
 * The WebAuthn relying party from CONCLAVE_WEBAUTHN_RP_ID / CONCLAVE_WEBAUTHN_ORIGIN (IAM-1).
 * Either may be derived from the other; with neither, a local install works at
 * http://localhost:<port>. Errors name the variable, as every config error does.
 */
export function webauthnConfig(rpIdVar: string | undefined, originVar: string | undefined, port: number): WebAuthnConfig {
  const bad = (v: string, msg: string) => new ConfigError(`Invalid configuration:\n  ${v}: ${msg}`);
  const origins: string[] = [];
  for (const raw of (originVar ?? '').split(',').map((o) => o.trim()).filter(Boolean)) {
    let u: URL;
    try { u = new URL(raw); } catch { throw bad('CONCLAVE_WEBAUTHN_ORIGIN', `"${raw}" is not a URL; use an origin such as https://chat.example.com`); }
    if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username || u.password || u.origin === 'null') throw bad('CONCLAVE_WEBAUTHN_ORIGIN', `"${raw}" must be an origin only (scheme, host, optional port), such as https://chat.example.com`);
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && u.hostname === 'localhost')) throw bad('CONCLAVE_WEBAUTHN_ORIGIN', `"${raw}" must use https:// (browsers allow security keys over http:// only on localhost)`);
    origins.push(u.origin);
  }
  const rpId = (rpIdVar ?? (origins[0] ? new URL(origins[0]).hostname : 'localhost')).toLowerCase();
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(rpId) || /^[0-9.]+$/.test(rpId)) {
    throw bad(rpIdVar ? 'CONCLAVE_WEBAUTHN_RP_ID' : 'CONCLAVE_WEBAUTHN_ORIGIN', `"${rpId}" must be a domain name such as chat.example.com (not a URL, IP address or host:port)`);
  }
  if (!origins.length) origins.push(rpId === 'localhost' ? `http://localhost:${port}` : `https://${rpId}`);
  for (const o of origins) {
    const host = new URL(o).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) throw bad('CONCLAVE_WEBAUTHN_ORIGIN', `the host of "${o}" must be ${rpId} (CONCLAVE_WEBAUTHN_RP_ID) or a subdomain of it`);
  }
  return { rpId, origins };
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** `mon-fri` / `mon,wed,fri` / `sat-sun` → day numbers (0 = Sunday); ranges may wrap (fri-mon). */
function parseDays(spec: string): number[] {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const [a, b = a] = part.split('-').map((d) => DAYS.indexOf(d));
    for (let d = a!; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === b) break;
    }
  }
  return [...out].sort();
}
