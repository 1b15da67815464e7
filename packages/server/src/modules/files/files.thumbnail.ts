/**
 * Image thumbnails (MSG-2): made once when an upload completes, from the decrypted bytes, with
 * pure-JavaScript codecs (pngjs, jpeg-js — nothing to download or compile). A thumbnail is a
 * file part like the others: sealed under the file's own key, so deleting the file or
 * crypto-shredding it (GOV-2) takes the thumbnail with it. Images whose header announces more
 * than MAX_PIXELS are not decoded (decompression bombs): they simply have no thumbnail.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { imageSize } from './files.watermark';

/** Longest side of a thumbnail, in pixels. */
export const THUMB_MAX_SIDE = 320;
/** Images larger than this (width × height) are not decoded. */
export const MAX_PIXELS = 40_000_000;
/** Files larger than this are not decoded either. */
export const MAX_THUMB_SOURCE_BYTES = 25 * 1024 * 1024;

export interface Thumbnail { bytes: Buffer; contentType: 'image/png' | 'image/jpeg'; width: number; height: number }

interface Rgba { width: number; height: number; data: Uint8Array }

function decode(bytes: Buffer, contentType: string): Rgba | null {
  if (contentType === 'image/png') {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: png.data };
  }
  if (contentType === 'image/jpeg') {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
    return { width: img.width, height: img.height, data: img.data };
  }
  return null;
}

/** Box-filter downscale: each output pixel averages the source pixels it covers. */
function downscale(src: Rgba, width: number, height: number): Rgba {
  const out = new Uint8Array(width * height * 4);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.min(src.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.min(src.width, Math.floor((x + 1) * sx)));
      let r = 0, g = 0, b = 0, a = 0;
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * src.width + x0) * 4;
        for (let xx = x0; xx < x1; xx++, i += 4) {
          r += src.data[i]!; g += src.data[i + 1]!; b += src.data[i + 2]!; a += src.data[i + 3]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 4;
      out[o] = r / n; out[o + 1] = g / n; out[o + 2] = b / n; out[o + 3] = a / n;
    }
  }
  return { width, height, data: out };
}

function hasAlpha(img: Rgba): boolean {
  for (let i = 3; i < img.data.length; i += 4) if (img.data[i] !== 255) return true;
  return false;
}

/**
 * A thumbnail of a PNG or JPEG no longer than THUMB_MAX_SIDE on its longest side (small images
 * are re-encoded at their own size), or null: not an image we decode, too large, or corrupt.
 * Never throws: a thumbnail is a convenience, not a condition of the upload.
 */
export function makeThumbnail(bytes: Buffer, contentType: string): Thumbnail | null {
  if (contentType !== 'image/png' && contentType !== 'image/jpeg') return null;
  if (bytes.length > MAX_THUMB_SOURCE_BYTES) return null;
  const size = imageSize(bytes);
  if (!size || size.w <= 0 || size.h <= 0 || size.w * size.h > MAX_PIXELS) return null;
  try {
    const src = decode(bytes, contentType);
    if (!src) return null;
    const scale = Math.min(1, THUMB_MAX_SIDE / Math.max(src.width, src.height));
    const img = scale < 1 ? downscale(src, Math.max(1, Math.round(src.width * scale)), Math.max(1, Math.round(src.height * scale))) : src;
    if (contentType === 'image/png' && hasAlpha(img)) {
      const png = new PNG({ width: img.width, height: img.height });
      png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
      return { bytes: PNG.sync.write(png), contentType: 'image/png', width: img.width, height: img.height };
    }
    const enc = jpeg.encode({ width: img.width, height: img.height, data: img.data }, 80);
    return { bytes: Buffer.from(enc.data), contentType: 'image/jpeg', width: img.width, height: img.height };
  } catch {
    return null;
  }
}
