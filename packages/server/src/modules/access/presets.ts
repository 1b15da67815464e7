/**
 * Industry presets (GOV-6): documented bundles of settings, applied as one audited action.
 * docs/PRESETS.md describes each; preset tests check the effects through the API.
 */
import type { OrgSettings, Permission, Preset } from '@conclave/protocol';
import { BUILTIN_ROLES } from '@conclave/protocol';
import { defaultLevelPolicies } from './levels';

export interface PresetBundle {
  settings: Partial<OrgSettings>;
  /** Permissions removed from every role (e.g. no guests anywhere). */
  revoke: Permission[];
  /** Departments get external isolation switched on. */
  isolateAllDepartments: boolean;
}

const policies = defaultLevelPolicies();
const closed = { forwardingAllowed: false, copyAllowed: false, downloadsAllowed: false, mfaRequired: true };

export const PRESET_BUNDLES: Record<Preset, PresetBundle> = {
  /** Finance: MFA for everyone, nothing above internal forwarded, history hidden from newcomers, 7-year retention. */
  finance: {
    settings: {
      mfaRequiredRoles: [...BUILTIN_ROLES],
      historyVisibleToNewMembers: false,
      dualControlRoleGrants: true,
      levelPolicies: {
        public: { ...policies.public!, retentionDays: 2555 },
        internal: { ...policies.internal!, retentionDays: 2555 },
        confidential: { ...policies.confidential!, forwardingAllowed: false, copyAllowed: false, retentionDays: 2555 },
        secret: { ...policies.secret!, ...closed, retentionDays: 2555 },
      },
    },
    revoke: [],
    isolateAllDepartments: false,
  },
  /** Healthcare: MFA for everyone, patient data (confidential) not forwarded, copied or downloaded, directory by department. */
  healthcare: {
    settings: {
      mfaRequiredRoles: [...BUILTIN_ROLES],
      directoryVisibility: 'department',
      levelPolicies: {
        ...policies,
        confidential: { ...policies.confidential!, ...closed, mfaRequired: true, retentionDays: 3650 },
        secret: { ...policies.secret!, ...closed, retentionDays: 3650 },
      },
    },
    revoke: [],
    isolateAllDepartments: false,
  },
  /** Manufacturing: external isolation in every department, directory by department, immediate offboarding (always on). */
  manufacturing: {
    settings: { directoryVisibility: 'department', guestDmToNonMembers: false },
    revoke: [],
    isolateAllDepartments: true,
  },
  /** Government: secret level in use, MFA for everyone, no external users, history hidden, dual control on grants. */
  government: {
    settings: {
      mfaRequiredRoles: [...BUILTIN_ROLES],
      historyVisibleToNewMembers: false,
      dualControlRoleGrants: true,
      directoryVisibility: 'department',
      levelPolicies: { ...policies, confidential: { ...policies.confidential!, ...closed }, secret: { ...policies.secret!, ...closed } },
    },
    revoke: ['conversations.invite_guests'],
    isolateAllDepartments: true,
  },
};
