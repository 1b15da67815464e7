/** A router small enough to read: the path is state, `navigate` pushes history. */
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
function notify() { for (const l of listeners) l(); }
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
}

export function usePath(): string {
  return useSyncExternalStore(
    (l) => { listeners.add(l); return () => listeners.delete(l); },
    () => location.pathname,
  );
}
