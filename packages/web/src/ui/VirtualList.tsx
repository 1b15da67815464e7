/**
 * A windowed list for chat history (MSG-1: smooth with 10k+ messages). Only the rows near the
 * viewport are in the DOM; the rest are two spacers whose heights come from measured row
 * heights (ResizeObserver) or an estimate. Chat-specific behaviour:
 * - it sticks to the bottom while the reader is at the bottom (new messages stay in view);
 * - otherwise it keeps the first visible row where it was, so older pages loading above, or
 *   rows above changing height, never move what the reader is looking at.
 * The browser's own scroll anchoring is turned off (CSS) because it would fight this.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  items: T[];
  itemKey(item: T): string;
  renderItem(item: T): ReactNode;
  estimateHeight(item: T): number;
  /** A different list (e.g. another conversation): scroll position starts again at the bottom. */
  resetKey: string;
  /** Called when the reader nears the top (load older history). */
  onNearTop?(): void;
  onAtBottomChange?(atBottom: boolean): void;
  /** Bump to jump to the bottom (e.g. after sending). */
  bottomSignal?: number;
  className?: string;
  ariaLabel: string;
  overscanPx?: number;
  /** Rows that must not hold the scroll position (e.g. a "loading older" row that content is inserted after). */
  anchorable?(item: T): boolean;
}

/** First index i with offsets[i] > value. */
function upperBound(a: Float64Array, value: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] > value) hi = mid; else lo = mid + 1;
  }
  return lo;
}

export function VirtualList<T>(p: VirtualListProps<T>) {
  const { items, itemKey, estimateHeight, overscanPx = 1200 } = p;
  // Re-render only when the reader has moved a good part of the overscan: not on every scroll event.
  const slack = overscanPx / 3;
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const [tick, setTick] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(800);
  const atBottom = useRef(true);
  /** The layout of the last commit: where the reader was is found in it, then kept in the new one. */
  const prev = useRef<{ offsets: Float64Array; keys: string[]; items: T[] } | null>(null);
  const nearTopFired = useRef(0);

  const { offsets, keys, index } = useMemo(() => {
    const n = items.length;
    const o = new Float64Array(n + 1);
    const k: string[] = new Array(n);
    const idx = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = itemKey(items[i]);
      k[i] = key;
      idx.set(key, i);
      o[i + 1] = o[i] + (heights.current.get(key) ?? estimateHeight(items[i]));
    }
    return { offsets: o, keys: k, index: idx };
    // `tick` re-runs this after rows are measured.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [items, tick]);

  const total = offsets[items.length];
  const start = Math.max(0, upperBound(offsets, scrollTop - overscanPx) - 1);
  const end = Math.min(items.length, upperBound(offsets, scrollTop + viewport + overscanPx));

  // One ResizeObserver for every row; rows report their real height.
  const ro = useMemo(() => typeof ResizeObserver === 'undefined' ? null : new ResizeObserver((entries) => {
    let changed = false;
    for (const e of entries) {
      const el = e.target as HTMLElement;
      const key = el.dataset.vkey;
      if (!key || !el.isConnected) continue;
      const h = e.borderBoxSize?.[0]?.blockSize ?? el.offsetHeight;
      if (h > 0 && Math.abs((heights.current.get(key) ?? -1) - h) > 0.5) { heights.current.set(key, h); changed = true; }
    }
    if (changed) setTick((t) => t + 1);
  }), []);
  useEffect(() => () => ro?.disconnect(), [ro]);

  // React 19 ref cleanup: rows leaving the window stop being observed.
  const rowRef = useCallback((el: HTMLDivElement | null) => {
    if (!el || !ro) return;
    ro.observe(el);
    return () => ro.unobserve(el);
  }, [ro]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (bottom !== atBottom.current) { atBottom.current = bottom; p.onAtBottomChange?.(bottom); }
    if (Math.abs(el.scrollTop - scrollTop) > slack) setScrollTop(el.scrollTop);
    if (el.scrollTop < 800 && p.onNearTop && Date.now() - nearTopFired.current > 250) {
      nearTopFired.current = Date.now();
      p.onNearTop();
    }
  };

  // A new list starts at the bottom.
  useLayoutEffect(() => {
    atBottom.current = true;
    p.onAtBottomChange?.(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [p.resetKey, p.bottomSignal]);

  // After every render: stick to the bottom, or — when the layout changed — keep the row the
  // reader is looking at where it was. The anchor is read from the previous layout at the
  // current scrollTop (not remembered from the last scroll event), so a scroll that lands
  // between a render and its commit is never undone.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const before = prev.current;
    prev.current = { offsets, keys, items };
    if (atBottom.current) {
      const target = el.scrollHeight - el.clientHeight;
      if (Math.abs(el.scrollTop - target) > 1) el.scrollTop = target;
    } else if (before && before.offsets !== offsets) {
      let i = Math.max(0, upperBound(before.offsets, el.scrollTop) - 1);
      while (p.anchorable && i < before.items.length - 1 && !p.anchorable(before.items[i]) && before.offsets[i + 1] < el.scrollTop + el.clientHeight) i++;
      const j = before.keys[i] === undefined ? undefined : index.get(before.keys[i]);
      if (j !== undefined) {
        const want = offsets[j] + (el.scrollTop - before.offsets[i]);
        if (Math.abs(el.scrollTop - want) > 1) el.scrollTop = want;
      }
    }
    if (Math.abs(el.scrollTop - scrollTop) > slack) setScrollTop(el.scrollTop);
  });

  // Viewport size; a short list asks for more history right away.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const obs = new ResizeObserver(() => setViewport(el.clientHeight));
    obs.observe(el);
    setViewport(el.clientHeight);
    return () => obs.disconnect();
  }, []);
  useEffect(() => {
    if (total < viewport + 200) p.onNearTop?.();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [total < viewport + 200, items.length, p.resetKey]);

  return (
    <div ref={scroller} className={`vlist ${p.className ?? ''}`} onScroll={onScroll} role="log" aria-label={p.ariaLabel} tabIndex={0}>
      <div style={{ height: offsets[start] }} aria-hidden="true" />
      {items.slice(start, end).map((item, i) => {
        const key = keys[start + i];
        return <div key={key} data-vkey={key} ref={rowRef} className="vrow">{p.renderItem(item)}</div>;
      })}
      <div style={{ height: Math.max(0, total - offsets[end]) }} aria-hidden="true" />
    </div>
  );
}
