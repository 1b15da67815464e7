/**
 * eDiscovery exports (GOV-5) for compliance officers: request, approve or refuse (two-person
 * rule), and download the signed zip once. Verify a package offline with
 * `conclave ediscovery verify <zip> --public-key <pem>` or `verifyEdiscoveryPackage` (@conclave/crypto).
 */
import type { BodyOf, QueryOf } from '@conclave/protocol';
import type { ConclaveClient } from './client';
import { downloadBytes } from './download';

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
  const { bytes, fileName } = await downloadBytes(client, 'downloadEdiscoveryExport', { id }, signal);
  return { zip: bytes, fileName };
}
