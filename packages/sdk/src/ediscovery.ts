/**
 * eDiscovery exports (GOV-5) for compliance officers: request, approve or refuse (two-person
 * rule), and download the signed zip once. Verify a package offline with
 * `conclave ediscovery verify <zip> --public-key <pem>` or `verifyEdiscoveryPackage` (@conclave/crypto).
 */
import { endpoints, type BodyOf, type QueryOf } from '@conclave/protocol';
import type { ConclaveClient } from './client';
import { ConclaveError } from './errors';
import { buildPath, errorFromResponse } from './http';

/** A downloaded eDiscovery package. */
export interface EdiscoveryPackage { zip: Uint8Array; fileName: string | null }

/** The `client.ediscovery` group. */
export function ediscoveryApi(client: ConclaveClient) {
  return {
    /** Requests an export; `status` is `pending_approval` when a sensitive level needs a second officer. */
    create: (body: BodyOf<'createEdiscoveryExport'>) => client.http.request('createEdiscoveryExport', { body }),
    list: (query?: QueryOf<'listEdiscoveryExports'>) => client.http.request('listEdiscoveryExports', { query }),
    get: (id: string) => client.http.request('getEdiscoveryExport', { params: { id } }),
    /** Approves another officer's request (never your own). */
    approve: (id: string) => client.http.request('approveEdiscoveryExport', { params: { id }, body: {} }),
    /** Refuses a request with a reason (or withdraws your own). */
    refuse: (id: string, reason: string) => client.http.request('refuseEdiscoveryExport', { params: { id }, body: { reason } }),
    /** Produces and downloads the package — once; a second call fails with `conflict`. */
    download: (id: string, signal?: AbortSignal) => downloadEdiscoveryExport(client, id, signal),
    settings: () => client.http.request('getEdiscoverySettings'),
    /** Sets which levels need a second approver (org.update_settings). */
    updateSettings: (sensitiveLevels: string[]) => client.http.request('updateEdiscoverySettings', { body: { sensitiveLevels } }),
  };
}

/** Downloads an export's zip (raw bytes, so not through the JSON transport). */
export async function downloadEdiscoveryExport(client: ConclaveClient, id: string, signal?: AbortSignal): Promise<EdiscoveryPackage> {
  const ep = endpoints.downloadEdiscoveryExport;
  const headers: Record<string, string> = {};
  if (client.token) headers.authorization = `Bearer ${client.token}`;
  let res: Response;
  try {
    res = await fetch(client.http.baseUrl + buildPath(ep.path, { id }), { method: ep.method, headers, signal });
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
  return { zip: new Uint8Array(await res.arrayBuffer()), fileName: star ? decodeURIComponent(star[1]!) : null };
}
