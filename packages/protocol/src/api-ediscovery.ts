/**
 * eDiscovery exports (GOV-5): compliance officers (`ediscovery.export`) request an export by
 * custodian, conversation, time range, keyword and level; exports that can touch a sensitive
 * level wait for a second, different officer's approval (two-person rule); the requester (or
 * approver) downloads the signed zip once. Format and rules: docs/GOVERNANCE.md.
 */
import * as z from 'zod';
import { Id, Millis, cleanText } from './common';
import { LevelName } from './models';
import { BinaryResponse } from './api-files';
import type { Endpoint } from './api';

const ep = <E extends Endpoint & { rawResponse?: true }>(e: E) => e;

/** Latest time accepted in criteria (year 2286): beyond it a range is absurd, not just empty. */
export const MAX_EDISCOVERY_TIME = 9_999_999_999_999;
/** Limits of one request's criteria. */
export const EDISCOVERY_LIMITS = { custodians: 100, conversations: 500, keywords: 20, keywordLength: 200 } as const;

/** Export lifecycle: waiting for a second officer, downloadable, refused, delivered, or past its time. */
export const EdiscoveryStatus = z.enum(['pending_approval', 'ready', 'refused', 'downloaded', 'expired']);
export type EdiscoveryStatus = z.infer<typeof EdiscoveryStatus>;

/**
 * What to export. Custodian scope: messages a custodian wrote, plus messages they received —
 * delivered to them (the delivery log, so conversations they left count) or readable by them
 * as a current member. `conversationIds` narrow custodians' messages to those conversations,
 * or without custodians select every message of them. Keywords: any of them matches (each
 * keyword's words must all occur, as in search). `levels` omitted: every level you clear.
 */
export const EdiscoveryCriteriaInput = z.object({
  custodians: z.array(Id).max(EDISCOVERY_LIMITS.custodians).default([]),
  conversationIds: z.array(Id).max(EDISCOVERY_LIMITS.conversations).default([]),
  from: Millis.max(MAX_EDISCOVERY_TIME, 'is too far in the future'),
  to: Millis.max(MAX_EDISCOVERY_TIME, 'is too far in the future'),
  keywords: z.array(cleanText(EDISCOVERY_LIMITS.keywordLength, 1).refine((s) => s.trim().length > 0, 'must not be blank')).max(EDISCOVERY_LIMITS.keywords).default([]),
  levels: z.array(LevelName).min(1).max(10).optional(),
});

/** The criteria as stored and shown (levels resolved; keywords null once erased after delivery or expiry). */
export const EdiscoveryCriteria = z.object({
  custodians: z.array(Id),
  conversationIds: z.array(Id),
  from: Millis,
  to: Millis,
  levels: z.array(z.string()),
  keywords: z.array(z.string()).nullable(),
  keywordCount: z.number().int(),
});

export const EdiscoveryExport = z.object({
  id: Id,
  matter: z.string(),
  status: EdiscoveryStatus,
  criteria: EdiscoveryCriteria,
  /** The sensitive levels the criteria can touch; non-empty means a second approval is needed. */
  sensitiveLevels: z.array(z.string()),
  needsApproval: z.boolean(),
  requestedBy: Id,
  requestedAt: Millis,
  /** The second officer who approved, or who refused (see `refusalReason`). */
  decidedBy: Id.nullable(),
  decidedAt: Millis.nullable(),
  refusalReason: z.string().nullable(),
  downloadedBy: Id.nullable(),
  downloadedAt: Millis.nullable(),
  expiresAt: Millis,
  /** Filled in when the package is produced. */
  messageCount: z.number().int().nullable(),
  fileCount: z.number().int().nullable(),
  manifestSha256: z.string().nullable(),
});
export type EdiscoveryExport = z.infer<typeof EdiscoveryExport>;

export const EdiscoverySettings = z.object({
  /** Levels whose content needs a second officer's approval before it is exported. */
  sensitiveLevels: z.array(z.string()),
  /** True while the organisation uses the default (its top two levels). */
  isDefault: z.boolean(),
  updatedBy: Id.nullable(),
  updatedAt: Millis.nullable(),
});

const IdParams = z.object({ id: Id });
const One = z.object({ export: EdiscoveryExport });

export const ediscoveryEndpoints = {
  createEdiscoveryExport: ep({
    method: 'POST', path: '/api/v1/ediscovery/exports',
    summary: 'Request an eDiscovery export (ediscovery.export). Sensitive levels wait for a second officer. Audited.',
    body: EdiscoveryCriteriaInput.extend({ matter: cleanText(200, 1).describe('Case or matter reference') }).strict()
      .refine((b) => b.custodians.length > 0 || b.conversationIds.length > 0, { message: 'give at least one custodian or conversation', path: ['custodians'] })
      .refine((b) => b.from <= b.to, { message: 'must not be after `to`', path: ['from'] }),
    response: One,
  }),
  listEdiscoveryExports: ep({
    method: 'GET', path: '/api/v1/ediscovery/exports', summary: 'Export requests of the organisation, newest first (ediscovery.export).',
    query: z.object({ status: EdiscoveryStatus.optional() }).strict(),
    response: z.object({ exports: z.array(EdiscoveryExport) }),
  }),
  getEdiscoveryExport: ep({
    method: 'GET', path: '/api/v1/ediscovery/exports/:id', summary: 'One export request (ediscovery.export).',
    params: IdParams, response: One,
  }),
  approveEdiscoveryExport: ep({
    method: 'POST', path: '/api/v1/ediscovery/exports/:id/approve',
    summary: 'Approve a pending export as the second compliance officer (never the requester). Audited.',
    params: IdParams, body: z.object({}).strict().optional(), response: One,
  }),
  refuseEdiscoveryExport: ep({
    method: 'POST', path: '/api/v1/ediscovery/exports/:id/refuse',
    summary: 'Refuse a pending export with a reason (another officer; the requester may withdraw it). Audited.',
    params: IdParams, body: z.object({ reason: cleanText(1000, 1) }).strict(), response: One,
  }),
  downloadEdiscoveryExport: ep({
    method: 'POST', path: '/api/v1/ediscovery/exports/:id/download',
    summary: 'Produce and download the signed zip, once, as the requester or approver. Audited as compliance.export.',
    params: IdParams, rawResponse: true, response: BinaryResponse,
  }),
  getEdiscoverySettings: ep({
    method: 'GET', path: '/api/v1/ediscovery/settings', summary: 'Which levels need a second approver (ediscovery.export or org.update_settings).',
    response: z.object({ settings: EdiscoverySettings }),
  }),
  updateEdiscoverySettings: ep({
    method: 'PUT', path: '/api/v1/ediscovery/settings',
    summary: 'Set the levels that need a second approver (org.update_settings: those subject to the rule cannot loosen it). Audited.',
    body: z.object({ sensitiveLevels: z.array(LevelName).max(10) }).strict(),
    response: z.object({ settings: EdiscoverySettings }),
  }),
} as const;
