/** Says when messages cannot flow, and that what you write is kept (MSG-4). */
import { useEffect, useRef, useState } from 'react';
import { useStore } from '../lib/app-context';
import { useI18n } from '../i18n/context';
import { Icon } from '../ui/Icon';

export function ConnectionBanner() {
  const store = useStore();
  const { t, plural } = useI18n();
  const waiting = store.outbox.items().filter((i) => i.status !== 'failed').length;
  const down = !store.online || store.connection === 'reconnecting' || (store.connection === 'connecting' && store.ready);
  // Short blips are not worth a banner; a reconnect that lasts is.
  const [shown, setShown] = useState(false);
  const [back, setBack] = useState(false);
  const wasDown = useRef(false);
  useEffect(() => {
    if (down) {
      const timer = setTimeout(() => setShown(true), store.online ? 1500 : 0);
      return () => clearTimeout(timer);
    }
    if (shown) { setShown(false); setBack(true); const timer = setTimeout(() => setBack(false), 2500); return () => clearTimeout(timer); }
    return undefined;
  }, [down, store.online, shown]);
  wasDown.current = down;

  if (shown && down) {
    return (
      <div className="banner banner-warning" role="status" data-testid="connection-banner">
        <Icon name="wifiOff" />
        <span>{store.online ? t('banner.reconnecting') : t('banner.offline')}</span>
        {waiting > 0 && <span className="banner-extra">{plural('banner.waiting', waiting)}</span>}
      </div>
    );
  }
  if (back) return <div className="banner banner-success" role="status"><Icon name="check" /> <span>{t('banner.back')}</span></div>;
  return <div role="status" className="sr-only" />;
}
