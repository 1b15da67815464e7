/** Deletion receipts (GOV-2; retention.manage or audit.read): the list, and each one signed, as JSON, to download and verify offline. */
import { useEffect, useState } from 'react';
import type { ResponseOf } from '@conclave/sdk';
import { useApp } from '../../lib/app-context';
import { useGovI18n } from '../../i18n/gov';
import { Badge, Button, CopyButton, Empty } from '../../ui/kit';
import { Icon } from '../../ui/Icon';
import { shortHash } from '../audit-shared';
import { Loading, ReceiptDialog, TabHead, VERIFY_RECEIPT_COMMAND, govErrorText, useCountsText } from './shared';

type Receipt = ResponseOf<'listDeletionReceipts'>['receipts'][number];

export function ReceiptsTab() {
  const app = useApp();
  const i18n = useGovI18n();
  const { t, dateTime } = i18n;
  const counts = useCountsText();
  const [receipts, setReceipts] = useState<Receipt[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    app.client.governance.receipts().then((r) => setReceipts(r.receipts), (err) => setError(govErrorText(err, i18n)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (!receipts) return error ? <p className="form-error" role="alert">{error}</p> : <Loading />;
  return (
    <>
      <TabHead title={t('gov.tab.receipts')} hint={t('gov.receipts.hint')} />
      <div className="chain-verify gov-verify">
        <Icon name="info" />
        <p>{t('gov.receipt.verifyHint')}</p>
        <div className="command-box"><code title={VERIFY_RECEIPT_COMMAND}>{VERIFY_RECEIPT_COMMAND}</code><CopyButton text={VERIFY_RECEIPT_COMMAND} /></div>
      </div>
      {receipts.length === 0 ? <Empty icon="fileText" title={t('gov.receipts.empty')}>{t('gov.receipts.emptyHint')}</Empty> : (
        <div className="table-wrap">
          <table className="table" data-testid="receipts-table">
            <caption className="sr-only">{t('gov.tab.receipts')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('gov.receipt.issued')}</th>
                <th scope="col">{t('gov.receipt.kind')}</th>
                <th scope="col">{t('gov.runs.counts')}</th>
                <th scope="col">{t('gov.receipt.hash')}</th>
                <th scope="col"><span className="sr-only">{t('gov.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {receipts.map((r) => (
                <tr key={r.id} data-receipt={r.id}>
                  <td className="nowrap small">{dateTime(r.createdAt)}</td>
                  <td><Badge tone={r.kind === 'erasure' ? 'warning' : 'brand'}>{t(r.kind === 'erasure' ? 'gov.receipt.kind.erasure' : 'gov.receipt.kind.retention')}</Badge></td>
                  <td className="small">{counts(r.counts)}</td>
                  <td><code className="audit-id" title={r.hash}>{shortHash(r.hash)}</code></td>
                  <td className="actions-cell"><Button size="sm" icon="fileText" onClick={() => setOpen(r.id)}>{t('gov.receipt.view')}</Button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && <ReceiptDialog id={open} onClose={() => setOpen(null)} />}
    </>
  );
}
