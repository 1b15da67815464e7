/**
 * The objects every module receives, built once by the composition root (app.ts).
 * Explicit constructor wiring, no DI container.
 */
import type { Logger } from 'pino';
import type { ActionRunner } from './kernel/action';
import type { Clock } from './kernel/clock';
import type { KeyService } from './kernel/keys';
import type { Database } from './storage/db';
import type { Config } from './config/config';
import type { PresenceService } from './realtime/presence';

export interface Services {
  config: Config;
  database: Database;
  runner: ActionRunner;
  keys: KeyService;
  clock: Clock;
  log: Logger;
  presence: PresenceService;
}
