/** OpenAPI 3.1 document generated from the protocol endpoints and the route table (INT-1). */
import { z } from 'zod';
import { ERROR_CODES, endpoints } from '@conclave/protocol';
import type { RouteDef } from './route';

function schema(s: z.ZodType, io: 'input' | 'output'): unknown {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

export function buildOpenApi(routes: RouteDef[], version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const ep = endpoints[r.endpoint];
    const path = ep.path.replace(/:(\w+)/g, '{$1}');
    const params: unknown[] = [];
    for (const [where, s] of [['path', 'params' in ep ? ep.params : undefined], ['query', 'query' in ep ? ep.query : undefined]] as const) {
      if (!s) continue;
      const js = schema(s as z.ZodType, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        params.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
      }
    }
    const body = 'body' in ep && ep.body ? ep.body : undefined;
    (paths[path] ??= {})[ep.method.toLowerCase()] = {
      operationId: r.endpoint,
      summary: ep.summary,
      'x-conclave-action': r.action,
      'x-conclave-auth': r.auth,
      security: r.auth === 'none' ? [] : [{ bearer: [] }],
      parameters: params,
      ...(body ? { requestBody: { required: !(body as z.ZodType).safeParse(undefined).success, content: 'rawBody' in ep ? { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } : { 'application/json': { schema: schema(body as z.ZodType, 'input') } } } } : {}),
      responses: {
        [String(r.status ?? 200)]: 'rawResponse' in ep
          ? { description: 'The file\'s bytes', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } }
          : { description: 'OK', content: { 'application/json': { schema: schema(ep.response, 'output') } } },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Conclave API', version, description: 'Errors: see docs/ERRORS.md. Realtime: WebSocket at /api/v1/ws.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object', required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', enum: Object.keys(ERROR_CODES) }, message: { type: 'string' }, details: { type: 'object' } } } },
        },
      },
    },
    paths,
  };
}
