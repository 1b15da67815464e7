/** Permissions that open admin → Governance (kept out of the lazy chunk: the console's nav needs them). */
export const GOVERNANCE_PERMISSIONS = ['retention.manage', 'legal_hold.manage', 'dsar.decide', 'ediscovery.export', 'audit.read'] as const;
