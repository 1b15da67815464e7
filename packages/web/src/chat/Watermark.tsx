/**
 * The viewer's watermark over a conversation at a watermarked level (DLP-2): name, id and the
 * time, tiled diagonally and faint, so a photo or screenshot of the screen names who was
 * looking. Deterrence, not a lock (docs/FILES-SEARCH-DLP.md). Decorative for assistive
 * technology; never intercepts clicks or selection.
 */
import { useEffect, useMemo, useState } from 'react';

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** One tile as an SVG data URL (allowed by the client's CSP img-src data:). */
export function watermarkTile(label: string): string {
  // The tile holds the whole rotated label (≈ 7 px per character at 13 px), with a gap around it.
  const len = label.length * 7.2;
  const w = Math.round(len * Math.cos(Math.PI / 7.5) + 70);
  const h = Math.round(len * Math.sin(Math.PI / 7.5) + 70);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><text x="${w / 2}" y="${h / 2}" text-anchor="middle" dominant-baseline="middle" transform="rotate(-24 ${w / 2} ${h / 2})" font-family="system-ui, sans-serif" font-size="13" fill="rgb(120,20,20)" fill-opacity="0.13">${xml(label)}</text></svg>`;
  return `url("data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}")`;
}

export function Watermark({ name, id }: { name: string; id: string }) {
  // Refreshed every minute: the time in the mark says when the screen was seen.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const label = `${name} · ${id} · ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')}Z`;
  const background = useMemo(() => watermarkTile(label), [label]);
  return <div className="conv-watermark" aria-hidden="true" data-testid="watermark" data-label={label} style={{ backgroundImage: background }} />;
}
