/**
 * A minimal PNG codec on Node built-ins (`zlib`): enough to write the Teams icons and to check any
 * icon a merchant drops in (`returnsbot manifest` reads the size, the colour type and the pixels).
 *
 * Writes 8-bit RGB or RGBA, filter 0, no interlace. Reads 8-bit greyscale, RGB, grey+alpha and
 * RGBA without interlace (every filter type); anything else is reported as unsupported.
 * Every chunk's CRC is written and checked.
 */
import { deflateSync, inflateSync } from 'node:zlib';

/** An image as straight (not premultiplied) RGBA bytes, row by row from the top left. */
export interface Rgba {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** What the IHDR chunk says. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 greyscale, 2 RGB, 3 palette, 4 greyscale + alpha, 6 RGBA. */
  colorType: number;
  interlace: number;
}

export const COLOR_TYPE_RGB = 2;
export const COLOR_TYPE_RGBA = 6;
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes per pixel of the 8-bit colour types this codec reads. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** A file that is not a PNG this codec can read; the message says why, in one line. */
export class PngError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngError';
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as PNG uses) of the bytes. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encode RGBA pixels as a PNG: colour type 6 (RGBA), or 2 (RGB) when `alpha` is false (alpha dropped). */
export function encodePng(image: Rgba, options: { alpha: boolean }): Buffer {
  const { width, height, rgba } = image;
  if (rgba.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
  const channels = options.alpha ? 4 : 3;
  const stride = width * channels + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 4;
      const to = y * stride + 1 + x * channels;
      for (let c = 0; c < channels; c++) raw[to + c] = rgba[from + c]!;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = options.alpha ? COLOR_TYPE_RGBA : COLOR_TYPE_RGB;
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

interface Chunk {
  type: string;
  data: Buffer;
}

function chunks(file: Uint8Array): Chunk[] {
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (buf.length < SIGNATURE.length || !buf.subarray(0, 8).equals(SIGNATURE)) throw new PngError('not a PNG file (wrong signature)');
  const out: Chunk[] = [];
  let at = 8;
  while (at < buf.length) {
    if (at + 12 > buf.length) throw new PngError('truncated PNG chunk');
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (at + 12 + length > buf.length) throw new PngError(`truncated PNG chunk ${type}`);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (crc32(buf.subarray(at + 4, at + 8 + length)) !== buf.readUInt32BE(at + 8 + length)) throw new PngError(`bad CRC in PNG chunk ${type}`);
    out.push({ type, data });
    at += 12 + length;
    if (type === 'IEND') break;
  }
  if (out[0]?.type !== 'IHDR' || out[0].data.length !== 13) throw new PngError('PNG does not start with an IHDR chunk');
  if (out[out.length - 1]?.type !== 'IEND') throw new PngError('PNG has no IEND chunk');
  return out;
}

/** The IHDR of a PNG file: its size and pixel format. Throws PngError when the file is not a PNG. */
export function readPngHeader(file: Uint8Array): PngHeader {
  const data = chunks(file)[0]!.data;
  return { width: data.readUInt32BE(0), height: data.readUInt32BE(4), bitDepth: data[8]!, colorType: data[9]!, interlace: data[12]! };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decode a PNG to RGBA pixels. Throws PngError for a file it cannot read. */
export function decodePng(file: Uint8Array): Rgba & { header: PngHeader } {
  const all = chunks(file);
  const header = readPngHeader(file);
  const { width, height, bitDepth, colorType, interlace } = header;
  const channels = CHANNELS[colorType];
  if (bitDepth !== 8 || channels === undefined || interlace !== 0) {
    throw new PngError(`unsupported PNG format (bit depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}): save it as 8-bit RGB or RGBA, not interlaced`);
  }
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(all.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  } catch {
    throw new PngError('corrupt PNG image data');
  }
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) throw new PngError('PNG image data is shorter than its size says');
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[row + i - channels]! : 0;
      const b = y > 0 ? pixels[row - stride + i]! : 0;
      const c = y > 0 && i >= channels ? pixels[row - stride + i - channels]! : 0;
      const x = line[i]!;
      let v: number;
      if (filter === 0) v = x;
      else if (filter === 1) v = x + a;
      else if (filter === 2) v = x + b;
      else if (filter === 3) v = x + ((a + b) >> 1);
      else if (filter === 4) v = x + paeth(a, b, c);
      else throw new PngError(`bad PNG filter type ${filter} on row ${y}`);
      pixels[row + i] = v & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    const [r, g, b, a] =
      channels === 4
        ? [pixels[s]!, pixels[s + 1]!, pixels[s + 2]!, pixels[s + 3]!]
        : channels === 3
          ? [pixels[s]!, pixels[s + 1]!, pixels[s + 2]!, 255]
          : channels === 2
            ? [pixels[s]!, pixels[s]!, pixels[s]!, pixels[s + 1]!]
            : [pixels[s]!, pixels[s]!, pixels[s]!, 255];
    rgba.set([r, g, b, a], p * 4);
  }
  return { width, height, rgba, header };
}
