/**
 * Data-subject requests (GOV-3): the JSON endpoints under friendly names, and the export
 * download, which answers with zip bytes instead of JSON and so needs a raw fetch.
 */
import type { BodyOf, QueryOf } from '@conclave/protocol';
import type { ConclaveClient } from './client';
import { downloadBytes } from './download';

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
export function downloadDsarExport(client: ConclaveClient, id: string, signal?: AbortSignal): Promise<DsarExportZip> {
  return downloadBytes(client, 'downloadDsarExport', { id }, signal);
}
