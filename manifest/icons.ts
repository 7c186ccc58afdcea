/**
 * The Teams app icons, drawn in code so they can be regenerated exactly:
 *
 *   node --import tsx manifest/icons.ts        # writes manifest/color.png and manifest/outline.png
 *
 * The symbol is a storage box inside a circular return arrow (⟲), drawn as strokes in a unit square and
 * rendered with 8×8 supersampling:
 * - `color.png`: 192×192, opaque, the symbol in white on the accent colour (Teams' "full colour" icon);
 * - `outline.png`: 32×32, white on a transparent background (only the alpha varies, for smooth edges).
 * Only Node built-ins are used (the PNG writer is `./png.ts`).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodePng, type Rgba } from './png.js';

/** The app's accent colour: the color icon's background and `accentColor` in manifest.json. */
export const ACCENT = '#0F6B73';
export const COLOR_SIZE = 192;
export const OUTLINE_SIZE = 32;

type Point = readonly [number, number];

/** Stroke width of the symbol, in units of its square. */
const STROKE = 0.09;
/** The arrow: a circle around the parcel, open at the top right, its head at the upper end. */
const CIRCLE: Point = [0.5, 0.52];
const RADIUS = 0.4;
/** Screen angles (y down, radians): the arc runs clockwise from START round to END. */
const ARC_START = (-30 * Math.PI) / 180;
const ARC_END = (240 * Math.PI) / 180;
/** The parcel: a storage box, a lid over a body with a handle slot, filled. */
const BOX = { left: 0.33, top: 0.36, right: 0.67, bottom: 0.72, lid: 0.1, gap: 0.04, overhang: 0.03 };
const HANDLE = { width: 0.15, height: 0.05, below: 0.075 };

function inTriangle([px, py]: Point, a: Point, b: Point, c: Point): boolean {
  const side = (p: Point, q: Point): number => (px - q[0]) * (p[1] - q[1]) - (p[0] - q[0]) * (py - q[1]);
  const d1 = side(a, b);
  const d2 = side(b, c);
  const d3 = side(c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

/** The arrowhead at the arc's START end, pointing on round the circle (anticlockwise on screen). */
const HEAD: [Point, Point, Point] = (() => {
  const a = ARC_START;
  const end: Point = [CIRCLE[0] + RADIUS * Math.cos(a), CIRCLE[1] + RADIUS * Math.sin(a)];
  const radial: Point = [Math.cos(a), Math.sin(a)];
  const forward: Point = [Math.sin(a), -Math.cos(a)];
  const half = STROKE * 1.7;
  const length = STROKE * 2.4;
  return [
    [end[0] + radial[0] * half, end[1] + radial[1] * half],
    [end[0] - radial[0] * half, end[1] - radial[1] * half],
    [end[0] + forward[0] * length, end[1] + forward[1] * length],
  ];
})();

function inArc(x: number, y: number): boolean {
  const dx = x - CIRCLE[0];
  const dy = y - CIRCLE[1];
  if (Math.abs(Math.hypot(dx, dy) - RADIUS) > STROKE / 2) return false;
  let angle = Math.atan2(dy, dx);
  if (angle < ARC_START) angle += 2 * Math.PI;
  return angle <= ARC_END;
}

function inBox(x: number, y: number): boolean {
  const { left, top, right, bottom, lid, gap, overhang } = BOX;
  if (y >= top && y <= top + lid) return x >= left - overhang && x <= right + overhang;
  const body = top + lid + gap;
  if (y < body || y > bottom || x < left || x > right) return false;
  const handleTop = body + HANDLE.below;
  const inHandle = Math.abs(x - (left + right) / 2) <= HANDLE.width / 2 && y >= handleTop && y <= handleTop + HANDLE.height;
  return !inHandle;
}

/** Whether a point of the unit square is inside the symbol. */
export function inSymbol(x: number, y: number): boolean {
  return inArc(x, y) || inBox(x, y) || inTriangle([x, y], ...HEAD);
}

/** Coverage (0–1) of each pixel of a size×size image whose symbol square is `inset` pixels in from each edge. */
function coverage(size: number, inset: number, samples = 8): Float64Array {
  const out = new Float64Array(size * size);
  const side = size - 2 * inset;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples - inset) / side;
          const y = (py + (sy + 0.5) / samples - inset) / side;
          if (inSymbol(x, y)) hits++;
        }
      }
      out[py * size + px] = hits / (samples * samples);
    }
  }
  return out;
}

function hexColor(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** 192×192, opaque: the white symbol on the accent colour, inside Teams' recommended central area. */
export function renderColorIcon(): Rgba {
  const size = COLOR_SIZE;
  const cover = coverage(size, 36);
  const [br, bg, bb] = hexColor(ACCENT);
  const rgba = new Uint8Array(size * size * 4);
  cover.forEach((c, i) => {
    rgba.set([Math.round(br + (255 - br) * c), Math.round(bg + (255 - bg) * c), Math.round(bb + (255 - bb) * c), 255], i * 4);
  });
  return { width: size, height: size, rgba };
}

/** 32×32: white where the symbol is, fully transparent elsewhere; edges only vary the alpha. */
export function renderOutlineIcon(): Rgba {
  const size = OUTLINE_SIZE;
  const cover = coverage(size, 1);
  const rgba = new Uint8Array(size * size * 4);
  cover.forEach((c, i) => {
    const alpha = Math.round(c * 255);
    rgba.set(alpha === 0 ? [0, 0, 0, 0] : [255, 255, 255, alpha], i * 4);
  });
  return { width: size, height: size, rgba };
}

/** The two PNG files, as written to manifest/. */
export function iconFiles(): { 'color.png': Buffer; 'outline.png': Buffer } {
  return {
    'color.png': encodePng(renderColorIcon(), { alpha: false }),
    'outline.png': encodePng(renderOutlineIcon(), { alpha: true }),
  };
}

const here = dirname(fileURLToPath(import.meta.url));
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [name, bytes] of Object.entries(iconFiles())) {
    writeFileSync(join(here, name), bytes);
    process.stdout.write(`wrote ${join(here, name)} (${bytes.length} bytes)\n`);
  }
}
