/**
 * Content-type sniffing (MSG-2): the type comes from the bytes, never from the client. A small
 * table of magic numbers covers images, PDF, Office/zip and executables; UTF-8 without NULs is
 * text. Names are cleaned of path tricks and checked against the block list of dangerous types.
 */
import { AppError } from '../../kernel/errors';

export type FileKind = 'image' | 'pdf' | 'text' | 'office' | 'archive' | 'binary' | 'executable';

export interface Sniffed { contentType: string; kind: FileKind; label: string }

/** Extensions never accepted: programs, scripts and installers (plus the org's own list). */
export const BLOCKED_EXTENSIONS = new Set([
  'exe', 'dll', 'com', 'scr', 'pif', 'cpl', 'msi', 'msp', 'msc', 'bat', 'cmd', 'ps1', 'psm1', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'hta',
  'jar', 'lnk', 'reg', 'inf', 'sh', 'bash', 'zsh', 'csh', 'ksh', 'command', 'app', 'apk', 'appx', 'deb', 'rpm', 'elf', 'so', 'dylib', 'bin', 'run', 'gadget', 'application',
]);

/** What an extension claims; used to refuse content that does not match its name. */
const EXTENSION_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', pdf: 'application/pdf',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  txt: 'text/plain', md: 'text/plain', csv: 'text/plain', log: 'text/plain', json: 'text/plain',
};

const starts = (b: Buffer, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (b: Buffer, s: string, at = 0) => b.length >= at + s.length && b.toString('latin1', at, at + s.length) === s;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Sniffs the first bytes (64 KiB is plenty) of a file. */
export function sniff(head: Buffer): Sniffed {
  if (starts(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { contentType: 'image/png', kind: 'image', label: 'PNG image' };
  if (starts(head, [0xff, 0xd8, 0xff])) return { contentType: 'image/jpeg', kind: 'image', label: 'JPEG image' };
  if (ascii(head, 'GIF87a') || ascii(head, 'GIF89a')) return { contentType: 'image/gif', kind: 'image', label: 'GIF image' };
  if (ascii(head, 'RIFF') && ascii(head, 'WEBP', 8)) return { contentType: 'image/webp', kind: 'image', label: 'WebP image' };
  if (ascii(head, '%PDF-')) return { contentType: 'application/pdf', kind: 'pdf', label: 'PDF document' };
  if (starts(head, [0x50, 0x4b, 0x03, 0x04])) {
    const names = head.toString('latin1');
    if (names.includes('word/')) return { contentType: EXTENSION_TYPES.docx!, kind: 'office', label: 'Word document' };
    if (names.includes('xl/')) return { contentType: EXTENSION_TYPES.xlsx!, kind: 'office', label: 'Excel workbook' };
    if (names.includes('ppt/')) return { contentType: EXTENSION_TYPES.pptx!, kind: 'office', label: 'PowerPoint presentation' };
    if (/\.(exe|dll|scr|bat|cmd|ps1|vbs|js|jar|msi|lnk|hta)\b/i.test(names)) return { contentType: 'application/zip', kind: 'executable', label: 'archive holding programs' };
    return { contentType: 'application/zip', kind: 'archive', label: 'zip archive' };
  }
  if (ascii(head, 'MZ')) return { contentType: 'application/x-msdownload', kind: 'executable', label: 'Windows program' };
  if (starts(head, [0x7f, 0x45, 0x4c, 0x46])) return { contentType: 'application/x-executable', kind: 'executable', label: 'ELF program' };
  if ([[0xfe, 0xed, 0xfa, 0xce], [0xfe, 0xed, 0xfa, 0xcf], [0xce, 0xfa, 0xed, 0xfe], [0xcf, 0xfa, 0xed, 0xfe], [0xca, 0xfe, 0xba, 0xbe]].some((s) => starts(head, s))) {
    return { contentType: 'application/x-mach-binary', kind: 'executable', label: 'macOS program or Java class' };
  }
  if (ascii(head, '#!')) return { contentType: 'text/x-script', kind: 'executable', label: 'script' };
  if (isText(head)) return { contentType: 'text/plain', kind: 'text', label: 'text' };
  return { contentType: 'application/octet-stream', kind: 'binary', label: 'binary data' };
}

function isText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  // The head may end in the middle of a multi-byte character: drop up to 3 trailing bytes.
  for (let cut = 0; cut <= 3 && cut < head.length; cut++) {
    try {
      utf8.decode(head.subarray(0, head.length - cut));
      return true;
    } catch {
      // try a shorter prefix
    }
  }
  return false;
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/**
 * A safe display name: the last path segment only (no `../`, drive letters or backslashes),
 * without control and bidirectional-override characters (which disguise "exe.pdf" as "fdp.exe"),
 * trimmed of dots and spaces. Refuses what is left empty.
 */
export function cleanFileName(raw: string): string {
  const last = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = last.replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/^[\s.]+|[\s.]+$/g, '').replace(/^[A-Za-z]:/, '');
  if (!cleaned) throw new AppError('validation_failed', 'name: must be a file name, not a path', { issues: [{ path: 'name', message: 'empty after removing the path' }] });
  return cleaned.slice(0, 255);
}

/** Refuses dangerous names: every extension is checked, so "invoice.pdf.exe" and "a.exe.txt" are both caught. */
export function assertAllowedName(name: string, extraBlocked: readonly string[]): void {
  const parts = name.toLowerCase().split('.').slice(1);
  const blocked = parts.find((p) => BLOCKED_EXTENSIONS.has(p) || extraBlocked.includes(p));
  if (blocked) throw new AppError('file_rejected', `files of type ".${blocked}" are not accepted`, { reason: 'blocked_type' }, 'blocked_type');
}

/**
 * Refuses content that is dangerous or does not match its name or declared type: a PDF named
 * photo.png, a program declared as text/plain.
 */
export function assertConsistent(s: Sniffed, name: string, declared: string | null): void {
  if (s.kind === 'executable') throw new AppError('file_rejected', `the content is a ${s.label}, which is not accepted`, { reason: 'blocked_type', detected: s.contentType }, 'blocked_type');
  const claimed = EXTENSION_TYPES[extensionOf(name)];
  if (claimed && !compatible(claimed, s)) {
    throw new AppError('file_rejected', `the name says ${claimed} but the content is ${s.contentType}`, { reason: 'type_mismatch', detected: s.contentType }, 'type_mismatch');
  }
  if (declared && declared !== 'application/octet-stream' && !compatible(declared.toLowerCase(), s)) {
    throw new AppError('file_rejected', `declared ${declared} but the content is ${s.contentType}`, { reason: 'type_mismatch', detected: s.contentType }, 'type_mismatch');
  }
}

function compatible(claimed: string, s: Sniffed): boolean {
  if (claimed === s.contentType) return true;
  if (claimed === 'image/jpg' && s.contentType === 'image/jpeg') return true;
  // Text formats (CSV, JSON, Markdown…) all sniff as text; zip-based formats as zip.
  if (s.kind === 'text') return claimed.startsWith('text/') || claimed === 'application/json' || claimed === 'application/xml';
  if (claimed === 'application/zip') return s.kind === 'office' || s.kind === 'archive';
  return false;
}
