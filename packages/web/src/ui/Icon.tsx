/** Stroke icons drawn inline (no icon font, nothing fetched at run time). */
import type { ReactNode } from 'react';

const P = (d: string) => <path d={d} />;
const ICONS: Record<string, ReactNode> = {
  hash: <>{P('M4 9h16M4 15h16M10 3 8 21M16 3l-2 18')}</>,
  lock: <><rect x="4" y="11" width="16" height="10" rx="2" />{P('M8 11V7a4 4 0 0 1 8 0v4')}</>,
  plus: P('M12 5v14M5 12h14'),
  search: <><circle cx="11" cy="11" r="7" />{P('m20 20-3.5-3.5')}</>,
  sliders: P('M4 21v-7M4 10V3M12 21v-9M12 8V3M20 21v-5M20 12V3M1 14h6M9 8h6M17 16h6'),
  smile: <><circle cx="12" cy="12" r="9" />{P('M8 14s1.5 2 4 2 4-2 4-2M9 9.5h.01M15 9.5h.01')}</>,
  thread: P('M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z'),
  edit: P('M12 20h9M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4z'),
  trash: P('M3 6h18M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6M10 11v6M14 11v6M9 6V4a1 1 0 0 1 1-1h4a1 1 0 0 1 1 1v2'),
  x: P('M18 6 6 18M6 6l12 12'),
  chevronDown: P('m6 9 6 6 6-6'),
  chevronRight: P('m9 6 6 6-6 6'),
  shield: P('M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z'),
  users: <>{P('M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2M23 21v-2a4 4 0 0 0-3-3.87M16 3.13a4 4 0 0 1 0 7.75')}<circle cx="9" cy="7" r="4" /></>,
  activity: P('M22 12h-4l-3 9L9 3l-3 9H2'),
  logOut: P('M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9'),
  globe: <><circle cx="12" cy="12" r="10" />{P('M2 12h20M12 2a15.3 15.3 0 0 1 4 10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z')}</>,
  wifiOff: P('m1 1 22 22M16.72 11.06A10.94 10.94 0 0 1 19 12.55M5 12.55a10.94 10.94 0 0 1 5.17-2.39M10.71 5.05A16 16 0 0 1 22.58 9M1.42 9a15.91 15.91 0 0 1 4.7-2.88M8.53 16.11a6 6 0 0 1 6.95 0M12 20h.01'),
  send: P('M22 2 11 13M22 2l-7 20-4-9-9-4z'),
  at: <><circle cx="12" cy="12" r="4" />{P('M16 8v5a3 3 0 0 0 6 0v-1a10 10 0 1 0-3.92 7.94')}</>,
  key: <><circle cx="7.5" cy="15.5" r="5.5" />{P('m21 2-9.6 9.6M15.5 7.5l3 3L22 7l-3-3')}</>,
  monitor: <><rect x="2" y="3" width="20" height="14" rx="2" />{P('M8 21h8M12 17v4')}</>,
  building: P('M3 21h18M5 21V7l8-4v18M19 21V11l-6-4M9 9v.01M9 12v.01M9 15v.01M9 18v.01'),
  check: P('M20 6 9 17l-5-5'),
  copy: <><rect x="9" y="9" width="13" height="13" rx="2" />{P('M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1')}</>,
  download: P('M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3'),
  external: P('M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6M15 3h6v6M10 14 21 3'),
  arrowLeft: P('M19 12H5M12 19l-7-7 7-7'),
  compass: <><circle cx="12" cy="12" r="10" /><path d="m16.24 7.76-2.12 6.36-6.36 2.12 2.12-6.36z" /></>,
  bell: P('M18 8A6 6 0 0 0 6 8c0 7-3 9-3 9h18s-3-2-3-9M13.73 21a2 2 0 0 1-3.46 0'),
  message: P('M21 11.5a8.38 8.38 0 0 1-.9 3.8 8.5 8.5 0 0 1-7.6 4.7 8.38 8.38 0 0 1-3.8-.9L3 21l1.9-5.7a8.38 8.38 0 0 1-.9-3.8 8.5 8.5 0 0 1 4.7-7.6 8.38 8.38 0 0 1 3.8-.9h.5a8.48 8.48 0 0 1 8 8z'),
  refresh: P('M23 4v6h-6M1 20v-6h6M3.51 9a9 9 0 0 1 14.85-3.36L23 10M1 14l4.64 4.36A9 9 0 0 0 20.49 15'),
  info: <><circle cx="12" cy="12" r="10" />{P('M12 16v-4M12 8h.01')}</>,
  clock: <><circle cx="12" cy="12" r="10" />{P('M12 6v6l4 2')}</>,
  alert: P('M10.29 3.86 1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0zM12 9v4M12 17h.01'),
  user: <>{P('M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2')}<circle cx="12" cy="7" r="4" /></>,
  layers: P('m12 2 10 5-10 5L2 7zM2 17l10 5 10-5M2 12l10 5 10-5'),
  fileText: P('M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6M16 13H8M16 17H8M10 9H8'),
  filter: P('M22 3H2l8 9.46V19l4 2v-8.54z'),
  arrowUp: P('M12 19V5M5 12l7-7 7 7'),
  arrowDown: P('M12 5v14M19 12l-7 7-7-7'),
  userCheck: <>{P('M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M16 11l2 2 4-4')}<circle cx="9" cy="7" r="4" /></>,
  link: P('M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71'),
};
export type IconName = keyof typeof ICONS;

export function Icon({ name, size = 16, className, title }: { name: IconName; size?: number; className?: string; title?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'} width={size} height={size} viewBox="0 0 24 24" fill="none"
      stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round"
      aria-hidden={title ? undefined : true} role={title ? 'img' : undefined} aria-label={title}
    >
      {ICONS[name]}
    </svg>
  );
}
