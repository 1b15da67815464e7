/** @packageDocumentation The Conclave wire contract, shared by server, SDK, CLI and web client. */
export * from './common';
export * from './errors';
export * from './roles';
export * from './models';
export * from './events';
export * from './api';
export * from './api-mls';
export * from './api-files';
export * from './api-audit';
export * from './api-governance';
export * from './api-archive';
export * from './api-dsar';
export * from './api-ediscovery';
