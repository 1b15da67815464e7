/**
 * Endpoints that answer with bytes (zip packages) instead of JSON: one raw fetch with the
 * session's bearer token, errors mapped exactly as the JSON transport maps them.
 */
import { endpoints, type EndpointName } from '@conclave/protocol';
import type { ConclaveClient } from './client';
import { ConclaveError } from './errors';
import { buildPath, errorFromResponse } from './http';

/** Downloaded bytes and the file name the server suggested (Content-Disposition), if any. */
export interface Download { bytes: Uint8Array; fileName: string | null }

export async function downloadBytes(client: ConclaveClient, name: EndpointName, params: Record<string, string>, signal?: AbortSignal): Promise<Download> {
  const ep = endpoints[name];
  const headers: Record<string, string> = {};
  if (client.token) headers.authorization = `Bearer ${client.token}`;
  let res: Response;
  try {
    res = await fetch(client.http.baseUrl + buildPath(ep.path, params), { method: ep.method, headers, signal });
  } catch (err) {
    if (signal?.aborted) throw new ConclaveError('aborted', `${ep.method} ${ep.path} was aborted`, { cause: err });
    throw new ConclaveError('network', `${ep.method} ${ep.path} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!res.ok) {
    const text = await res.text();
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    throw errorFromResponse(res.status, json, text);
  }
  const star = /filename\*=UTF-8''([^;]+)/i.exec(res.headers.get('content-disposition') ?? '');
  return { bytes: new Uint8Array(await res.arrayBuffer()), fileName: star ? decodeURIComponent(star[1]!) : null };
}
