#!/usr/bin/env node
// `conclave` command: TypeScript sources run through tsx, like the rest of the repository.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
