/**
 * Data governance (GOV-1, GOV-2): retention policies and legal minimums, legal holds, retention
 * runs and signed deletion receipts. Compliance officers only (`retention.manage`,
 * `legal_hold.manage`); receipts are also readable with `audit.read` so auditors can check them.
 * Behaviour and formats: docs/GOVERNANCE.md.
 */
import * as z from 'zod';
import { Id, Millis, cleanText } from './common';
import type { Endpoint } from './api';
import { LevelName } from './models';

const ep = <E extends Endpoint>(e: E) => e;

/** Longest retention anyone can ask for (100 years). */
export const MAX_RETENTION_DAYS = 36_500;

/** What a retention policy covers, most specific last: conversation beats level beats kind beats org. */
export const RetentionScope = z.enum(['org', 'kind', 'level', 'conversation']);
export type RetentionScope = z.infer<typeof RetentionScope>;
export const RETENTION_KINDS = ['dm', 'group', 'channel'] as const;

export const RetentionPolicy = z.object({
  id: Id,
  scope: RetentionScope,
  /** '' for org; a conversation kind, a level name or a conversation id. */
  target: z.string(),
  /** Content older than this many days is deleted; null keeps it forever. */
  deleteAfterDays: z.number().int().nullable(),
  createdBy: Id,
  createdAt: Millis,
  updatedAt: Millis,
});
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

export const RetentionMinimum = z.object({ level: z.string(), minDays: z.number().int(), updatedAt: Millis });
export type RetentionMinimum = z.infer<typeof RetentionMinimum>;

/** One candidate rule for a conversation and what became of it. */
export const RetentionCandidate = z.object({
  source: z.enum(['conversation', 'level', 'kind', 'org', 'level_default']),
  target: z.string(),
  policyId: Id.nullable(),
  deleteAfterDays: z.number().int().nullable(),
  outcome: z.enum(['applies', 'overridden']),
});

/** Which retention applies to one conversation, and why (GOV-1: contradicting policies explained). */
export const EffectiveRetention = z.object({
  conversationId: Id,
  kind: z.string(),
  level: z.string(),
  /** null: kept forever. */
  deleteAfterDays: z.number().int().nullable(),
  /** The legal minimum of the conversation's level, if any; never deleted sooner. */
  minimumDays: z.number().int().nullable(),
  raisedToMinimum: z.boolean(),
  candidates: z.array(RetentionCandidate),
  explanation: z.string(),
});
export type EffectiveRetention = z.infer<typeof EffectiveRetention>;

/** A legal hold's query: every given criterion must match (AND). */
export const HoldQuery = z.object({
  conversationIds: z.array(Id).min(1).max(500).optional(),
  authorIds: z.array(Id).min(1).max(500).optional(),
  from: Millis.optional(),
  to: Millis.optional(),
}).strict()
  .refine((q) => q.conversationIds || q.authorIds || q.from !== undefined || q.to !== undefined, { message: 'a query hold needs at least one of conversationIds, authorIds, from, to', path: ['conversationIds'] })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
export type HoldQuery = z.infer<typeof HoldQuery>;

export const HoldKind = z.enum(['custodian', 'conversation', 'query']);

export const LegalHold = z.object({
  id: Id,
  name: z.string(),
  kind: HoldKind,
  custodianId: Id.nullable(),
  conversationId: Id.nullable(),
  query: HoldQuery.nullable(),
  reason: z.string(),
  createdBy: Id,
  createdAt: Millis,
  active: z.boolean(),
  releasedBy: Id.nullable(),
  releasedAt: Millis.nullable(),
  releaseReason: z.string().nullable(),
});
export type LegalHold = z.infer<typeof LegalHold>;

/** Counters of a retention run or an erasure (also what its receipt states). */
export const DeletionCounts = z.object({
  conversations: z.number().int(),
  messages: z.number().int(),
  tombstoned: z.number().int(),
  versions: z.number().int(),
  files: z.number().int(),
  searchEntries: z.number().int(),
  keysDestroyed: z.number().int(),
  /** Items that would have been deleted but a legal hold covers. */
  heldKept: z.number().int(),
});
export type DeletionCounts = z.infer<typeof DeletionCounts>;

export const RetentionRun = z.object({
  id: Id,
  trigger: z.enum(['schedule', 'manual']),
  status: z.enum(['running', 'completed', 'failed', 'interrupted']),
  startedBy: Id.nullable(),
  startedAt: Millis,
  finishedAt: Millis.nullable(),
  counts: DeletionCounts,
  receiptId: Id.nullable(),
});
export type RetentionRun = z.infer<typeof RetentionRun>;

/** What a dry run would delete now (nothing is changed). */
export const RetentionPreview = z.object({ counts: DeletionCounts, at: Millis });

/**
 * A deletion receipt as issued: `receipt` is the signed statement, `hash` the SHA-256 of its
 * canonical JSON, `signature` Ed25519 by the audit key `keyFingerprint`. Format and offline
 * check: docs/GOVERNANCE.md, `conclave governance verify-receipt`.
 */
export const SignedDeletionReceipt = z.object({
  receipt: z.record(z.string(), z.unknown()),
  hash: z.string(),
  signature: z.string(),
  keyFingerprint: z.string(),
});
export type SignedDeletionReceipt = z.infer<typeof SignedDeletionReceipt>;

export const DeletionReceiptSummary = z.object({ id: Id, kind: z.string(), createdAt: Millis, hash: z.string(), counts: DeletionCounts });

/** A place the server may connect to (GOV-4); nothing outside this list is ever contacted. */
export const OutboundDestination = z.object({
  name: z.string(),
  kind: z.enum(['infrastructure', 'integration']),
  purpose: z.string(),
  target: z.string(),
  setting: z.string(),
  blocked: z.boolean(),
});
export type OutboundDestination = z.infer<typeof OutboundDestination>;

const Reason = cleanText(500, 3);

export const governanceEndpoints = {
  listRetentionPolicies: ep({
    method: 'GET', path: '/api/v1/governance/retention/policies', summary: 'Retention policies and legal minimums per level (retention.manage).',
    response: z.object({ policies: z.array(RetentionPolicy), minimums: z.array(RetentionMinimum) }),
  }),
  setRetentionPolicy: ep({
    method: 'PUT', path: '/api/v1/governance/retention/policies', summary: 'Create or replace the policy of one scope (retention.manage). Broad scopes below a level\'s legal minimum are raised to it, with a warning.',
    body: z.object({
      scope: RetentionScope,
      target: cleanText(40).default(''),
      deleteAfterDays: z.number().int().min(1).max(MAX_RETENTION_DAYS).nullable(),
    }).strict(),
    response: z.object({ policy: RetentionPolicy, warnings: z.array(z.string()) }),
  }),
  deleteRetentionPolicy: ep({
    method: 'DELETE', path: '/api/v1/governance/retention/policies/:id', summary: 'Remove a policy (retention.manage).',
    params: z.object({ id: Id }), response: z.object({ ok: z.literal(true) }),
  }),
  setRetentionMinimum: ep({
    method: 'PUT', path: '/api/v1/governance/retention/minimums/:level', summary: 'Set the legal minimum retention of a level (retention.manage); refused while a policy for that level or its conversations is shorter.',
    params: z.object({ level: LevelName }), body: z.object({ minDays: z.number().int().min(1).max(MAX_RETENTION_DAYS) }).strict(),
    response: z.object({ minimum: RetentionMinimum }),
  }),
  deleteRetentionMinimum: ep({
    method: 'DELETE', path: '/api/v1/governance/retention/minimums/:level', summary: 'Remove a level\'s legal minimum (retention.manage).',
    params: z.object({ level: LevelName }), response: z.object({ ok: z.literal(true) }),
  }),
  effectiveRetention: ep({
    method: 'GET', path: '/api/v1/governance/retention/effective/:conversationId', summary: 'Which retention applies to a conversation and why (retention.manage).',
    params: z.object({ conversationId: Id }), response: z.object({ retention: EffectiveRetention }),
  }),
  previewRetention: ep({
    method: 'GET', path: '/api/v1/governance/retention/preview', summary: 'What a retention run would delete now; changes nothing (retention.manage).',
    response: RetentionPreview,
  }),
  startRetentionRun: ep({
    method: 'POST', path: '/api/v1/governance/retention/runs', summary: 'Start a retention run now (retention.manage); it proceeds in the background, in batches.',
    body: z.object({}).strict().optional(), response: z.object({ run: RetentionRun }),
  }),
  listRetentionRuns: ep({
    method: 'GET', path: '/api/v1/governance/retention/runs', summary: 'Recent retention runs with progress (retention.manage).',
    response: z.object({ runs: z.array(RetentionRun) }),
  }),
  getRetentionRun: ep({
    method: 'GET', path: '/api/v1/governance/retention/runs/:id', summary: 'One retention run (retention.manage).',
    params: z.object({ id: Id }), response: z.object({ run: RetentionRun }),
  }),
  listLegalHolds: ep({
    method: 'GET', path: '/api/v1/governance/holds', summary: 'Legal holds, active and released (legal_hold.manage only).',
    response: z.object({ holds: z.array(LegalHold) }),
  }),
  createLegalHold: ep({
    method: 'POST', path: '/api/v1/governance/holds', summary: 'Place a legal hold by custodian, conversation or query (legal_hold.manage).',
    body: z.object({
      name: cleanText(100, 1),
      kind: HoldKind,
      custodianId: Id.optional(),
      conversationId: Id.optional(),
      query: HoldQuery.optional(),
      reason: Reason,
    }).strict()
      .refine((b) => b.kind !== 'custodian' || (b.custodianId && !b.conversationId && !b.query), { message: 'a custodian hold takes custodianId only', path: ['custodianId'] })
      .refine((b) => b.kind !== 'conversation' || (b.conversationId && !b.custodianId && !b.query), { message: 'a conversation hold takes conversationId only', path: ['conversationId'] })
      .refine((b) => b.kind !== 'query' || (b.query && !b.custodianId && !b.conversationId), { message: 'a query hold takes query only', path: ['query'] }),
    response: z.object({ hold: LegalHold }),
  }),
  releaseLegalHold: ep({
    method: 'POST', path: '/api/v1/governance/holds/:id/release', summary: 'Release a legal hold with a reason (legal_hold.manage).',
    params: z.object({ id: Id }), body: z.object({ reason: Reason }).strict(), response: z.object({ hold: LegalHold }),
  }),
  listDeletionReceipts: ep({
    method: 'GET', path: '/api/v1/governance/receipts', summary: 'Deletion receipts, newest first (retention.manage or audit.read).',
    response: z.object({ receipts: z.array(DeletionReceiptSummary) }),
  }),
  getDeletionReceipt: ep({
    method: 'GET', path: '/api/v1/governance/receipts/:id', summary: 'A signed deletion receipt (retention.manage or audit.read).',
    params: z.object({ id: Id }), response: SignedDeletionReceipt,
  }),
  listOutbound: ep({
    method: 'GET', path: '/api/v1/governance/outbound', summary: 'Every outbound destination this server may contact, and which integrations are blocked (GOV-4; org.update_settings, audit.read or retention.manage).',
    response: z.object({ destinations: z.array(OutboundDestination), blockSetting: z.string() }),
  }),
} as const;
