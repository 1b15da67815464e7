/**
 * Visible watermarks on previews (DLP-2): the viewer's name, id and the time, so a photo or
 * screenshot of confidential content names who looked at it. PDFs get the text drawn on every
 * page (pdf-lib); images are served inside an SVG with a tiled overlay; text previews get a
 * header line. Deterrence against leaks by camera or screenshot, not a technical lock: see docs/FILES-SEARCH-DLP.md.
 */
import { degrees, PDFDocument, rgb, StandardFonts } from 'pdf-lib';

export interface Viewer { id: string; name: string; at: number }

export function watermarkLabel(v: Viewer): string {
  return `${v.name} · ${v.id} · ${new Date(v.at).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}

/** The standard PDF fonts cover WinAnsi only: other characters (e.g. Chinese names) become "?", the id stays exact. */
function winAnsi(s: string): string {
  return s.replace(/·/g, '-').replace(/[^\x20-\x7e\u00a0-\u00ff]/g, '?');
}

export async function watermarkPdf(bytes: Uint8Array, viewer: Viewer): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const label = winAnsi(watermarkLabel(viewer));
  const size = 14;
  const width = font.widthOfTextAtSize(label, size);
  for (const page of doc.getPages()) {
    const { width: w, height: h } = page.getSize();
    for (let y = -h; y < h * 1.5; y += 140) {
      for (let x = -w; x < w * 1.5; x += width + 80) {
        page.drawText(label, { x, y, size, font, color: rgb(0.55, 0.1, 0.1), opacity: 0.22, rotate: degrees(30) });
      }
    }
  }
  return doc.save();
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Image dimensions from the header (PNG, JPEG, GIF, WebP), so the SVG keeps the aspect ratio. */
export function imageSize(b: Buffer): { w: number; h: number } | null {
  if (b.length > 24 && b.readUInt32BE(12) === 0x49484452) return { w: b.readUInt32BE(16), h: b.readUInt32BE(20) };
  if (b.toString('latin1', 0, 6).startsWith('GIF')) return { w: b.readUInt16LE(6), h: b.readUInt16LE(8) };
  if (b.toString('latin1', 8, 12) === 'WEBP') {
    const kind = b.toString('latin1', 12, 16);
    if (kind === 'VP8X') return { w: 1 + b.readUIntLE(24, 3), h: 1 + b.readUIntLE(27, 3) };
    if (kind === 'VP8 ') return { w: b.readUInt16LE(26) & 0x3fff, h: b.readUInt16LE(28) & 0x3fff };
    if (kind === 'VP8L') { const v = b.readUInt32LE(21); return { w: (v & 0x3fff) + 1, h: ((v >> 14) & 0x3fff) + 1 }; }
  }
  if (b[0] === 0xff && b[1] === 0xd8) {
    for (let i = 2; i + 9 < b.length;) {
      if (b[i] !== 0xff) { i++; continue; }
      const marker = b[i + 1]!;
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return { h: b.readUInt16BE(i + 5), w: b.readUInt16BE(i + 7) };
      i += 2 + b.readUInt16BE(i + 2);
    }
  }
  return null;
}

/** The image inside an SVG under a tiled, semi-transparent label. */
export function watermarkImage(bytes: Buffer, contentType: string, viewer: Viewer): Buffer {
  const { w, h } = imageSize(bytes) ?? { w: 800, h: 600 };
  const label = xml(watermarkLabel(viewer));
  const fs = Math.max(12, Math.round(Math.min(w, h) / 28));
  const tile = Math.round(fs * 22);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`
    + `<defs><pattern id="wm" width="${tile}" height="${Math.round(fs * 6)}" patternUnits="userSpaceOnUse" patternTransform="rotate(-30)">`
    + `<text x="0" y="${fs * 2}" font-family="sans-serif" font-size="${fs}" fill="#8b1a1a" fill-opacity="0.35">${label}</text></pattern></defs>`
    + `<image width="${w}" height="${h}" xlink:href="data:${contentType};base64,${bytes.toString('base64')}"/>`
    + `<rect width="${w}" height="${h}" fill="url(#wm)"/></svg>`;
  return Buffer.from(svg, 'utf8');
}

export function watermarkText(text: string, viewer: Viewer): string {
  return `[${watermarkLabel(viewer)}]\n\n${text}`;
}
