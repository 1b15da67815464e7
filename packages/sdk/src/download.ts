/**
 * Endpoints whose bodies or answers are bytes, not JSON (file chunks, downloads, previews,
 * thumbnails, zip packages): one raw fetch with the session's bearer token, errors mapped
 * exactly as the JSON transport maps them.
 */
import { endpoints, type EndpointName } from '@conclave/protocol';
import type { ConclaveClient } from './client';
import { ConclaveError } from './errors';
import { buildPath, buildQuery, errorFromResponse } from './http';

/** Downloaded bytes, their type, and the file name the server suggested (Content-Disposition), if any. */
export interface Download { bytes: Uint8Array; contentType: string; fileName: string | null }

/** One request to endpoint `name`; a non-2xx answer becomes the same ConclaveError as JSON calls. */
export async function rawFetch(
  client: ConclaveClient, name: EndpointName, params: Record<string, unknown>, query: Record<string, unknown> | undefined,
  init: { method: string; body?: Uint8Array; contentType?: string; signal?: AbortSignal },
): Promise<Response> {
  const ep = endpoints[name];
  const url = client.http.baseUrl + buildPath(ep.path, params) + buildQuery(query);
  const headers: Record<string, string> = {};
  if (client.token) headers.authorization = `Bearer ${client.token}`;
  if (init.contentType) headers['content-type'] = init.contentType;
  let res: Response;
  try {
    res = await fetch(url, { method: init.method, headers, body: init.body as BodyInit | undefined, signal: init.signal });
  } catch (err) {
    if (init.signal?.aborted) throw new ConclaveError('aborted', `${ep.method} ${ep.path} was aborted`, { cause: err });
    throw new ConclaveError('network', `${ep.method} ${ep.path} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!res.ok) {
    const text = await res.text();
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    throw errorFromResponse(res.status, json, text);
  }
  return res;
}

/** The bytes an endpoint answers with. */
export async function downloadBytes(client: ConclaveClient, name: EndpointName, params: Record<string, string>, signal?: AbortSignal): Promise<Download> {
  const res = await rawFetch(client, name, params, undefined, { method: endpoints[name].method, signal });
  const star = /filename\*=UTF-8''([^;]+)/i.exec(res.headers.get('content-disposition') ?? '');
  return {
    bytes: new Uint8Array(await res.arrayBuffer()),
    contentType: res.headers.get('content-type') ?? 'application/octet-stream',
    fileName: star ? decodeURIComponent(star[1]!) : null,
  };
}
