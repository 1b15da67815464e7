/** Wire contract for data governance — dsar (GOV). Filled in by its module. */
import type { Endpoint } from './api';

const ep = <E extends Endpoint>(e: E) => e;
void ep;

export const dsarEndpoints = {} as const;
