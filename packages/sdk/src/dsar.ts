/**
 * Data-subject requests (GOV-3): the JSON endpoints under friendly names, and the export
 * download, which answers with zip bytes instead of JSON and so needs a raw fetch.
 */
import { endpoints, type BodyOf, type QueryOf } from '@conclave/protocol';
import type { ConclaveClient } from './client';
import { ConclaveError } from './errors';
import { buildPath, errorFromResponse } from './http';

/** A downloaded export: the zip's bytes and the server's file name. */
export interface DsarExportZip { bytes: Uint8Array; fileName: string | null }

/** The `client.dsar` group: open, follow and cancel your own requests; officers list and decide. */
export function dsarGroup(client: ConclaveClient) {
  // Read client.http on each call: this runs from a field initializer, before the constructor sets it.
  const http = () => client.http;
  return {
    /** Opens a request about yourself: `export` (your data as a zip) or `erasure`. */
    open: (body: BodyOf<'openDsarRequest'>) => http().request('openDsarRequest', { body }),
    /** Your own requests with their history, newest first. */
    mine: () => http().request('listMyDsarRequests'),
    /** One request (yours, or any with dsar.decide). */
    get: (id: string) => http().request('getDsarRequest', { params: { id } }),
    /** Cancels your own open request. */
    cancel: (id: string, reason?: string) => http().request('cancelDsarRequest', { params: { id }, body: reason === undefined ? {} : { reason } }),
    /** Every request of the organisation (dsar.decide). */
    list: (query?: QueryOf<'listDsarRequests'>) => http().request('listDsarRequests', { query }),
    /** Approves or refuses an open request with a reason (dsar.decide, MFA session). */
    decide: (id: string, decision: 'approve' | 'refuse', reason: string) => http().request('decideDsarRequest', { params: { id }, body: { decision, reason } }),
    /** Downloads your completed export (a zip with manifest.json). */
    download: (id: string, signal?: AbortSignal) => downloadDsarExport(client, id, signal),
    settings: () => http().request('getDsarSettings'),
    updateSettings: (body: BodyOf<'updateDsarSettings'>) => http().request('updateDsarSettings', { body }),
    /** Deadline alerts: due within 7 days, or overdue (dsar.decide). */
    alerts: (query?: QueryOf<'listDsarAlerts'>) => http().request('listDsarAlerts', { query }),
  };
}

/** Downloads the zip of a completed export request (refused with `conflict` once expired). */
export async function downloadDsarExport(client: ConclaveClient, id: string, signal?: AbortSignal): Promise<DsarExportZip> {
  const ep = endpoints.downloadDsarExport;
  const headers: Record<string, string> = {};
  if (client.token) headers.authorization = `Bearer ${client.token}`;
  let res: Response;
  try {
    res = await fetch(client.http.baseUrl + buildPath(ep.path, { id }), { method: 'GET', headers, signal });
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
