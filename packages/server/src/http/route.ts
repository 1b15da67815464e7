/**
 * A route-table entry. Every route declares `auth` and the `action` name it performs
 * (rule 1: deny by default); a test walks every table and fails on a route without both.
 * Transport concerns (parsing, validation, encoding) live in http/server.ts, not here.
 */
import type { EndpointName, ResponseOf, Endpoints } from '@conclave/protocol';
import type { z } from 'zod';
import type { Actor, UserActor } from '../kernel/actor';

export type AuthLevel = 'none' | 'session' | 'mfa';
export type Restriction = 'password_change' | 'mfa_enrollment';

type In<N extends EndpointName, K extends 'params' | 'query' | 'body'> = Endpoints[N] extends { [P in K]: infer S extends z.ZodType } ? z.output<S> : undefined;

export interface RouteRequest<N extends EndpointName, A extends Actor> {
  actor: A;
  params: In<N, 'params'>;
  query: In<N, 'query'>;
  body: In<N, 'body'>;
}

export interface RouteDef<N extends EndpointName = EndpointName> {
  endpoint: N;
  auth: AuthLevel;
  /** The audited action name (also used for metrics labels). */
  action: string;
  /** Session restrictions under which this route still works (e.g. changing a one-time password). */
  allowRestricted?: Restriction[];
  /** HTTP status on success (default 200; 201 for creations). */
  status?: number;
  /**
   * A sensitive read (an admin viewing a user's data, AUD-1): audited as `action` when it
   * succeeds, before the answer is sent, with the path parameter `param` (default `id`) as target.
   */
  auditSuccess?: { targetType: string; param?: string };
  handler(req: RouteRequest<N, any>): Promise<ResponseOf<N>>;
}

/** Declares a route with types inferred from the protocol endpoint. */
export function route<N extends EndpointName>(def: {
  endpoint: N;
  auth: 'none';
  action: string;
  status?: number;
  handler(req: RouteRequest<N, Actor>): Promise<ResponseOf<N>>;
} | {
  endpoint: N;
  auth: 'session' | 'mfa';
  action: string;
  allowRestricted?: Restriction[];
  status?: number;
  auditSuccess?: { targetType: string; param?: string };
  handler(req: RouteRequest<N, UserActor>): Promise<ResponseOf<N>>;
}): RouteDef<N> {
  return def as RouteDef<N>;
}
