/**
 * Presence (MSG-5): ephemeral, never stored. Online while at least one socket is open;
 * "away" when every open socket says so. This is the single-node implementation; the
 * multi-node one shares the same interface through the broker.
 */
export type PresenceStatus = 'online' | 'away' | 'offline';

export interface PresenceService {
  status(userId: string): PresenceStatus;
  /** Registers a socket; returns a function that unregisters it. */
  connect(userId: string, socketId: string): () => void;
  setAway(userId: string, socketId: string, away: boolean): void;
  /** Called with (userId, status) whenever a user's aggregate status changes. */
  onChange(listener: (userId: string, status: PresenceStatus) => void): void;
}

export class MemoryPresence implements PresenceService {
  private readonly sockets = new Map<string, Map<string, boolean>>();
  private readonly listeners: Array<(u: string, s: PresenceStatus) => void> = [];

  status(userId: string): PresenceStatus {
    const s = this.sockets.get(userId);
    if (!s || s.size === 0) return 'offline';
    for (const away of s.values()) if (!away) return 'online';
    return 'away';
  }

  connect(userId: string, socketId: string): () => void {
    const before = this.status(userId);
    let s = this.sockets.get(userId);
    if (!s) this.sockets.set(userId, (s = new Map()));
    s.set(socketId, false);
    this.changed(userId, before);
    return () => {
      const b = this.status(userId);
      s!.delete(socketId);
      if (s!.size === 0) this.sockets.delete(userId);
      this.changed(userId, b);
    };
  }

  setAway(userId: string, socketId: string, away: boolean): void {
    const s = this.sockets.get(userId);
    if (!s?.has(socketId)) return;
    const before = this.status(userId);
    s.set(socketId, away);
    this.changed(userId, before);
  }

  onChange(listener: (userId: string, status: PresenceStatus) => void): void {
    this.listeners.push(listener);
  }

  private changed(userId: string, before: PresenceStatus): void {
    const now = this.status(userId);
    if (now !== before) for (const l of this.listeners) l(userId, now);
  }
}
