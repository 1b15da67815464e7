import * as z from 'zod';
import { Id, Seq } from './common';
import { Alert, Conversation, Member, Message, User } from './models';

/**
 * Durable events: each carries a per-user, strictly increasing seq (MSG-4). A client that
 * applies the events after its initial fetch ends with the same state a fresh fetch returns.
 */
export const EventPayloads = {
  'message.created': z.object({ message: Message }),
  /** Edit, delete (tombstone), reaction or thread-summary change: the full new message. */
  'message.updated': z.object({ message: Message }),
  /** Conversation created, renamed, archived, membership count changed, you joined. */
  'conversation.updated': z.object({ conversation: Conversation }),
  /** You left or were removed: drop the conversation and its messages. */
  'conversation.removed': z.object({ conversationId: Id }),
  'member.added': z.object({ conversationId: Id, member: Member }),
  'member.updated': z.object({ conversationId: Id, member: Member }),
  'member.removed': z.object({ conversationId: Id, userId: Id }),
  /** Your read marker moved (from this or another of your devices). */
  'read.updated': z.object({ conversationId: Id, lastReadPosition: z.number().int() }),
  /** Someone else's read marker moved (read receipts in small conversations). */
  'receipt.updated': z.object({ conversationId: Id, userId: Id, lastReadPosition: z.number().int() }),
  'user.updated': z.object({ user: User }),
  /** A security alert was raised (sent to holders of alerts.manage; MON-1). */
  'alert.created': z.object({ alert: Alert }),
  // ---- MLS delivery service (E2E-1): pointers only; fetch the bytes from api-mls.ts ----
  /** A commit was accepted for `epoch` (the group is now at epoch + 1): fetch handshakes from your epoch. */
  'mls.commit': z.object({ conversationId: Id, epoch: z.number().int(), handshakeId: Id }),
  /** The server, as external sender, proposed removing departed members' devices: the next online member commits it. */
  'mls.proposal': z.object({ conversationId: Id, epoch: z.number().int(), handshakeId: Id }),
  /** You were added to an MLS group: your devices fetch their Welcome. */
  'mls.welcome': z.object({ conversationId: Id, epoch: z.number().int(), handshakeId: Id, deviceIds: z.array(Id) }),
  /** One of your devices is running out of KeyPackages: upload more. */
  'mls.key_packages_low': z.object({ deviceId: Id, available: z.number().int() }),
} as const;
export type EventType = keyof typeof EventPayloads;
export const EVENT_TYPES = Object.keys(EventPayloads) as EventType[];

export const SyncEvent = z.object({ seq: Seq, type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]), at: z.number().int(), data: z.unknown() });
/** A durable event as delivered to a client. */
export type SyncEvent = { [K in EventType]: { seq: number; type: K; at: number; data: z.infer<(typeof EventPayloads)[K]> } }[EventType];

/** Ephemeral signals: no seq, not stored, not replayed (MSG-5). */
export const Ephemeral = z.discriminatedUnion('type', [
  z.object({ type: z.literal('typing'), conversationId: Id, userId: Id }),
  z.object({ type: z.literal('presence'), userId: Id, status: z.enum(['online', 'away', 'offline']) }),
]);
export type Ephemeral = z.infer<typeof Ephemeral>;

/** Frames the server sends on /api/v1/ws. */
export type ServerFrame =
  | { type: 'hello'; userId: string; sessionId: string; seq: number; resumedFrom: number | null }
  | { type: 'event'; event: SyncEvent }
  /** The client's `since` is older than the retained event log: refetch state, then resume from `seq`. */
  | { type: 'reset'; seq: number }
  | { type: 'ephemeral'; signal: Ephemeral }
  | { type: 'pong'; t: number }
  | { type: 'error'; code: string; message: string };

/** Frames a client may send on /api/v1/ws. Anything else closes the socket with protocolError. */
export const ClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('typing'), conversationId: Id }),
  z.object({ type: z.literal('presence'), status: z.enum(['online', 'away']) }),
  z.object({ type: z.literal('ping'), t: z.number().int().optional() }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
