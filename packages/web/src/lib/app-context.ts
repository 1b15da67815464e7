import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ConclaveClient, ResponseOf } from '@conclave/sdk';
import type { ChatStore } from './chat-store';

export type MeResponse = ResponseOf<'me'>;
/** GET /me/capabilities (ACL-3): permissions, clearance, confidentiality levels, org policies. */
export type Capabilities = ResponseOf<'capabilities'>;

/** Who is signed in and what they may do; cached so the app can open offline. */
export interface Profile { me: MeResponse; caps: Capabilities | null }

/** Permissions from the capabilities endpoint, or from /me on servers that still put them there. */
export function permissionsOf(p: Profile): Set<string> {
  const legacy = (p.me as unknown as { capabilities?: { permissions?: string[] } }).capabilities?.permissions;
  return new Set<string>(p.caps?.permissions ?? legacy ?? []);
}

export interface AppSession {
  client: ConclaveClient;
  me: MeResponse;
  caps: Capabilities | null;
  store: ChatStore;
  can(permission: string): boolean;
  /** True for roles that may open /admin. */
  isAdmin: boolean;
  signOut(): void;
  refreshMe(): Promise<void>;
}

export const AppContext = createContext<AppSession | null>(null);

export function useApp(): AppSession {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('useApp outside the signed-in app');
  return ctx;
}

/** Re-renders when the chat store changes; returns the store for reading. */
export function useStore(): ChatStore {
  const { store } = useApp();
  useSyncExternalStore(store.subscribe, store.getVersion);
  return store;
}

/** Permissions that make the admin console worth opening. */
export const ADMIN_PERMISSIONS = ['users.create', 'users.update', 'users.deactivate', 'org.update_settings', 'roles.manage', 'departments.manage', 'audit.read', 'alerts.manage',
  'retention.manage', 'legal_hold.manage', 'dsar.decide', 'ediscovery.export'];
