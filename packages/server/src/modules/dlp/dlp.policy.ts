/**
 * What DLP-3 does to content at a level: allow, warn the sender (they must acknowledge),
 * mask the values, or block. Applied to message text, file names and extractable file text.
 * Every hit is recorded in the action's audit details as type and position only.
 */
import type { DlpAction, DlpHit, OrgSettings } from '@conclave/protocol';
import type { ActionContext } from '../../kernel/action';
import { AppError } from '../../kernel/errors';
import { detect } from './dlp.detectors';
import { maskHits } from './dlp.masking';

export function dlpActionFor(settings: Pick<OrgSettings, 'dlp'>, level: string): DlpAction {
  return settings.dlp.levelActions[level] ?? 'allow';
}

export interface DlpOutcome { text: string; action: DlpAction; hits: DlpHit[] }

/** Default DLP settings (docs/FILES-SEARCH-DLP.md): all built-in detectors; public conversations warn. */
export function defaultDlpSettings(): OrgSettings['dlp'] {
  return { detectors: ['cn_mobile', 'cn_id', 'bank_card', 'email'], customPatterns: [], levelActions: { public: 'warn', internal: 'allow', confidential: 'allow', secret: 'allow' } };
}

/**
 * Checks `text` (what: 'text' | 'name' | 'content') for a conversation at `level`. Returns the
 * text to store (masked when the level masks) or throws `dlp_blocked` / `dlp_warning`. Hits go
 * into the audit details of `ctx` first, so a refused attempt is audited with them too.
 */
export function applyDlp(ctx: Pick<ActionContext, 'detail'> | null, settings: Pick<OrgSettings, 'dlp'>, level: string, text: string, opts: { acknowledged?: boolean; what?: string; canMask?: boolean } = {}): DlpOutcome {
  const action = dlpActionFor(settings, level);
  if (action === 'allow' && !settings.dlp.detectors.length && !settings.dlp.customPatterns.length) return { text, action, hits: [] };
  const hits = detect(text, settings.dlp);
  if (!hits.length) return { text, action: 'allow', hits };
  const what = opts.what ?? 'text';
  const effective: DlpAction = action === 'mask' && opts.canMask === false ? 'block' : action;
  ctx?.detail({ dlp: { what, action: effective, acknowledged: !!opts.acknowledged, hits: hits.map((h) => ({ type: h.type, start: h.start, end: h.end })) } });
  const types = [...new Set(hits.map((h) => h.type))].join(', ');
  switch (effective) {
    case 'allow': return { text, action: effective, hits };
    case 'mask': return { text: maskHits(text, hits), action: effective, hits };
    case 'warn':
      if (opts.acknowledged) return { text, action: effective, hits };
      throw new AppError('dlp_warning', `the ${what} holds sensitive data (${types}); send again with acknowledgeSensitive: true to send it anyway`, { hits, action: 'warn' }, 'dlp_warning');
    case 'block':
      throw new AppError('dlp_blocked', `the ${what} holds sensitive data (${types}) that level "${level}" does not allow`, { hits, action: 'block' }, 'dlp_blocked');
  }
}
