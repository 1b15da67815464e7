/**
 * The one ConclaveClient of this tab and the remembered session (token + user id) in
 * localStorage, so a reload, or an offline start, resumes without a new login.
 */
import { ConclaveClient } from '@conclave/sdk';

const KEY = 'conclave.session';

export interface SavedSession { token: string; userId: string }

export function loadSession(): SavedSession | null {
  try {
    const raw = localStorage.getItem(KEY);
    const v = raw ? (JSON.parse(raw) as SavedSession) : null;
    return v && typeof v.token === 'string' && typeof v.userId === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function saveSession(s: SavedSession | null): void {
  try {
    if (s) localStorage.setItem(KEY, JSON.stringify(s));
    else localStorage.removeItem(KEY);
  } catch { /* storage unavailable: the session lasts for this tab only */ }
}

let client: ConclaveClient | null = null;

/** This tab's client, talking to the origin that served the page. */
export function getClient(): ConclaveClient {
  if (!client) client = new ConclaveClient({ baseUrl: location.origin, token: loadSession()?.token ?? null });
  return client;
}

/** Drops the client (after logout or revocation) so nothing of the old session lingers. */
export function resetClient(): ConclaveClient {
  client?.close();
  client = new ConclaveClient({ baseUrl: location.origin });
  return client;
}
