/**
 * A small, dependency-free line-chart writer: renders training curves (loss
 * against step) into an RGB raster with a built-in bitmap font and encodes it
 * as PNG by hand (`node:zlib`'s deflate and CRC-32). Used to save a loss curve
 * next to checkpoints.
 */
import { crc32, deflateSync } from 'node:zlib';
import { writeFileAtomic } from './atomic-write.js';

/** An sRGB color, each component an integer in 0..255. */
export type Rgb = [number, number, number];

/** One curve of a chart. */
export interface Series {
  /** Shown in the legend. */
  name: string;
  /** Curve color; defaults to the next color of a built-in 10-color palette. */
  color?: Rgb;
  /** `[x, y]` pairs, drawn in the given order; pairs with a non-finite coordinate are dropped. */
  points: [number, number][];
  /** `'line'` (default) joins the points with an anti-aliased 2 px line; `'dots'` draws a dot per point. */
  style?: 'line' | 'dots';
}

/** Chart layout options. */
export interface PlotOptions {
  /** Image width in pixels, an integer in 160..8192; default 800. */
  width?: number;
  /** Image height in pixels, an integer in 120..8192; default 480. */
  height?: number;
  /** Centered above the plot; default none. */
  title?: string;
  /** Label under the x axis; default `'step'`. */
  xLabel?: string;
  /** Label along the y axis (written bottom to top); default `'loss'`. */
  yLabel?: string;
}

/**
 * 5x8 bitmap font for ASCII 32..126, 8 characters per glyph: one base-32 digit
 * per pixel row, top to bottom, the most significant of its 5 bits the leftmost
 * pixel. Rows 0..6 hold capitals and digits, row 7 descenders.
 */
const FONT =
  '0000000044444040aa000000aavavaa04fke5u40op248j30cik8lid044800000248884208422248004lel400044v4400' +
  '00000648000e000000000cc001248g00ehjlphe04c4444e0eh1248v0v2421he026aiv220vgu11he068guhhe0v1248880' +
  'ehhehhe0ehhf12c00cc0cc000cc0c480248g842000v0v00084212480eh124040eh1dlle0ehhvhhh0uhhuhhu0ehggghe0' +
  'sihhhis0vgguggv0vgguggg0ehgnhhf0hhhvhhh0e44444e072222ic0hikokih0ggggggv0hrllhhh0hhpljhh0ehhhhhe0' +
  'uhhuggg0ehhhlid0uhhukih0fgge11u0v4444440hhhhhhe0hhhhha40hhhllla0hha4ahh0hha44440v1248gv0e88888e0' +
  '0g842100e22222e04ah000000000000v8400000000e1fhf0ggmphhu000egghe011djhhf000ehvge0698s888000fhhf1e' +
  'ggmphhh040c444e0206222icggikoki0c44444e000qllhh000mphhh000ehhhe000uhhugg00fhhf1100mpggg000fge1u0' +
  '88s8896000hhhjd000hhha4000hhlla000ha4ah000hhhf1e00v248v0244844204444444084424480008l2000';
const GLYPH_ROWS = 8;
const ADVANCE = 6;

const PALETTE: Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];
const INK: Rgb = [34, 34, 34];
const GRID: Rgb = [232, 232, 232];
const FRAME: Rgb = [120, 120, 120];

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** An RGB raster on a white background. */
class Canvas {
  readonly px: Uint8Array;
  private cov?: Float32Array;
  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.px = new Uint8Array(w * h * 3).fill(255);
  }

  /** Mixes `c` into pixel (x, y) with opacity `a`; outside pixels are ignored. */
  blend(x: number, y: number, c: Rgb, a = 1): void {
    if (x < 0 || y < 0 || x >= this.w || y >= this.h || !(a > 0)) return;
    const i = (y * this.w + x) * 3;
    const t = Math.min(a, 1);
    for (let k = 0; k < 3; k++) this.px[i + k] = Math.round(this.px[i + k] + (c[k] - this.px[i + k]) * t);
  }

  /** Fills the half-open box [x0, x1) x [y0, y1). */
  fill(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    for (let y = Math.max(0, y0); y < Math.min(this.h, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(this.w, x1); x++) this.blend(x, y, c);
    }
  }

  /** Draws `s` with its top-left corner at (x, y); `up` rotates it to read bottom to top from (x, y). */
  text(s: string, x: number, y: number, scale: number, c: Rgb, up = false): void {
    for (let i = 0; i < s.length; i++) {
      let code = s.charCodeAt(i);
      if (code < 32 || code > 126) code = 63; // '?'
      for (let row = 0; row < GLYPH_ROWS; row++) {
        const bits = parseInt(FONT[(code - 32) * GLYPH_ROWS + row], 32);
        for (let col = 0; col < 5; col++) {
          if (!(bits & (16 >> col))) continue;
          const gx = (i * ADVANCE + col) * scale;
          const gy = row * scale;
          if (up) this.fill(x + gy, y - gx - scale, x + gy + scale, y - gx, c);
          else this.fill(x + gx, y + gy, x + gx + scale, y + gy + scale, c);
        }
      }
    }
  }

  /**
   * Strokes the polyline through (xs[i], ys[i]) with half-width `hw` and round
   * joins, or with `dots` a disc of radius `hw` per point; anti-aliased from the
   * distance to each segment, kept as per-pixel maximum coverage so that joins
   * are not painted twice, then mixed in inside `clip` (inclusive).
   */
  strokes(xs: number[], ys: number[], hw: number, dots: boolean, c: Rgb, clip: Rect): void {
    const cx0 = Math.max(0, clip.x0),
      cx1 = Math.min(this.w - 1, clip.x1);
    const cy0 = Math.max(0, clip.y0),
      cy1 = Math.min(this.h - 1, clip.y1);
    const cov = (this.cov ??= new Float32Array(this.w * this.h)).fill(0);
    for (let i = 0; i < xs.length; i++) {
      const j = dots ? i : Math.max(0, i - 1);
      const x0 = xs[j],
        y0 = ys[j],
        dx = xs[i] - x0,
        dy = ys[i] - y0,
        len2 = dx * dx + dy * dy;
      const ylo = Math.max(cy0, Math.floor(Math.min(y0, ys[i]) - hw - 1)),
        yhi = Math.min(cy1, Math.ceil(Math.max(y0, ys[i]) + hw + 1));
      const xlo = Math.max(cx0, Math.floor(Math.min(x0, xs[i]) - hw - 1)),
        xhi = Math.min(cx1, Math.ceil(Math.max(x0, xs[i]) + hw + 1));
      for (let y = ylo; y <= yhi; y++) {
        for (let x = xlo; x <= xhi; x++) {
          const px = x + 0.5 - x0,
            py = y + 0.5 - y0;
          const t = len2 > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / len2)) : 0;
          const a = Math.min(1, hw + 0.5 - Math.hypot(px - t * dx, py - t * dy));
          if (a > cov[y * this.w + x]) cov[y * this.w + x] = a;
        }
      }
    }
    for (let y = cy0; y <= cy1; y++) for (let x = cx0; x <= cx1; x++) this.blend(x, y, c, cov[y * this.w + x]);
  }
}

/** Pixel width of `s` drawn at `scale`. */
function textWidth(s: string, scale: number): number {
  return s.length ? (s.length * ADVANCE - 1) * scale : 0;
}

/** The round tick spacing (1, 2 or 5 times a power of ten) nearest to `span / target`. */
function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

/** The multiples of `step` in [lo, hi]. */
function ticks(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(k * step);
  return out;
}

/** Formats tick value `v` with as many decimals as `step` needs; steps of 1000 and up use k/M/G. */
function formatTick(v: number, step: number): string {
  if (Math.abs(v) < step * 1e-6) v = 0; // no -0 or 1e-17 from float steps
  const decimals = (s: number) => Math.min(20, Math.max(0, -Math.floor(Math.log10(s) + 1e-9)));
  for (const [div, suffix] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (step >= div) return v ? (v / div).toFixed(decimals(step / div)) + suffix : '0';
  }
  return v.toFixed(decimals(step));
}

/** The data range of `vals`, widened by 5% on each side; constant data gets ±10% (±1 around 0); no data gives [0, 1]. */
function paddedRange(vals: number[]): [number, number] {
  if (!vals.length) return [0, 1];
  let lo = Infinity,
    hi = -Infinity;
  for (const v of vals) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  if (!(span > Math.max(Math.abs(lo), Math.abs(hi)) * 1e-12)) {
    const pad = Math.abs(lo) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }
  return [lo - span * 0.05, hi + span * 0.05];
}

function checkColor(c: Rgb, name: string): Rgb {
  if (!Array.isArray(c) || c.length !== 3 || !c.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
    throw new RangeError(`plot: series '${name}' color must be three integers in 0..255, got ${JSON.stringify(c)}`);
  }
  return c;
}

function checkSize(v: number, min: number, what: string): number {
  if (!Number.isInteger(v) || v < min || v > 8192) {
    throw new RangeError(`plot: ${what} must be an integer in ${min}..8192, got ${v}`);
  }
  return v;
}

/**
 * Renders `series` as a line chart and returns the PNG file bytes (8-bit RGB).
 *
 * White background, light grid, a framed plot area with outward tick marks and
 * round tick values (1/2/5 x 10^k) on both axes, axis labels, an optional title
 * and a legend (top right) with each series' color and name. Both axes span the
 * finite data widened by 5%; points with a non-finite coordinate are dropped
 * (a line joins the finite neighbours), a constant coordinate gets a padded
 * range, and with no finite points at all the axes show [0, 1].
 *
 * @param series curves to draw, in order; may be empty (axes only, no legend)
 * @param opts size and labels: width 800, height 480, xLabel 'step', yLabel 'loss', no title by default
 * @throws RangeError if width/height is not an integer in 160..8192 / 120..8192,
 *   or a series color is not three integers in 0..255
 */
export function renderLossCurve(series: Series[], opts: PlotOptions = {}): Uint8Array {
  const W = checkSize(opts.width ?? 800, 160, 'width');
  const H = checkSize(opts.height ?? 480, 120, 'height');
  const title = opts.title ?? '';
  const xLabel = opts.xLabel ?? 'step';
  const yLabel = opts.yLabel ?? 'loss';
  const s = Math.max(1, Math.floor(Math.min(W, H) / 250)); // text scale
  const lineH = GLYPH_ROWS * s;
  const tickLen = 5 * s;

  const drawn = series.map((sr, k) => ({
    name: String(sr.name),
    color: sr.color ? checkColor(sr.color, sr.name) : PALETTE[k % PALETTE.length],
    dots: sr.style === 'dots',
    pts: (sr.points ?? []).filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])),
  }));
  const all = drawn.flatMap((d) => d.pts);
  const [xlo, xhi] = paddedRange(all.map((p) => p[0]));
  const [ylo, yhi] = paddedRange(all.map((p) => p[1]));

  // Layout: margins sized from the labels that go in them.
  const top = title ? 12 * s + lineH * 2 : 10 * s;
  const bottom = tickLen + 4 * s + lineH + 6 * s + lineH + 8 * s;
  const yTarget = Math.max(2, Math.round((H - top - bottom) / (50 * s)));
  const yStep = niceStep(yhi - ylo, yTarget);
  const yTicks = ticks(ylo, yhi, yStep).map((v) => ({ v, label: formatTick(v, yStep) }));
  const yLabelW = Math.max(0, ...yTicks.map((t) => textWidth(t.label, s)));
  const left = 8 * s + (yLabel ? lineH + 8 * s : 0) + yLabelW + 4 * s + tickLen;
  const xTarget = Math.max(2, Math.round((W - left) / (80 * s)));
  const xStep = niceStep(xhi - xlo, xTarget);
  const xTicks = ticks(xlo, xhi, xStep).map((v) => ({ v, label: formatTick(v, xStep) }));
  const right = 12 * s + Math.ceil(textWidth(xTicks[xTicks.length - 1]?.label ?? '', s) / 2);
  const plot: Rect = { x0: left, y0: top, x1: W - right, y1: H - bottom };
  if (plot.x1 - plot.x0 < 20 || plot.y1 - plot.y0 < 20) {
    throw new RangeError(`plot: a ${W}x${H} image leaves no room for the plot area`);
  }
  const X = (x: number) => plot.x0 + ((x - xlo) / (xhi - xlo)) * (plot.x1 - plot.x0);
  const Y = (y: number) => plot.y1 - ((y - ylo) / (yhi - ylo)) * (plot.y1 - plot.y0);

  const cv = new Canvas(W, H);
  // Grid, tick marks and tick labels.
  for (const t of xTicks) {
    const x = Math.round(X(t.v));
    cv.fill(x, plot.y0 + 1, x + 1, plot.y1, GRID);
    cv.fill(x, plot.y1, x + 1, plot.y1 + tickLen, FRAME);
    cv.text(t.label, x - Math.floor(textWidth(t.label, s) / 2), plot.y1 + tickLen + 4 * s, s, INK);
  }
  for (const t of yTicks) {
    const y = Math.round(Y(t.v));
    cv.fill(plot.x0 + 1, y, plot.x1, y + 1, GRID);
    cv.fill(plot.x0 - tickLen, y, plot.x0, y + 1, FRAME);
    cv.text(t.label, plot.x0 - tickLen - 4 * s - textWidth(t.label, s), y - Math.floor((7 * s) / 2), s, INK);
  }

  // Curves, inside the frame.
  const inner: Rect = { x0: plot.x0 + 1, y0: plot.y0 + 1, x1: plot.x1 - 1, y1: plot.y1 - 1 };
  for (const d of drawn) {
    if (d.pts.length)
      cv.strokes(
        d.pts.map((p) => X(p[0])),
        d.pts.map((p) => Y(p[1])),
        d.dots ? 2.5 * s : s,
        d.dots,
        d.color,
        inner,
      );
  }

  // Frame, labels, title.
  for (const y of [plot.y0, plot.y1]) cv.fill(plot.x0, y, plot.x1 + 1, y + 1, FRAME);
  for (const x of [plot.x0, plot.x1]) cv.fill(x, plot.y0, x + 1, plot.y1 + 1, FRAME);
  const midX = Math.round((plot.x0 + plot.x1) / 2);
  cv.text(xLabel, midX - Math.floor(textWidth(xLabel, s) / 2), H - 8 * s - lineH, s, INK);
  cv.text(yLabel, 8 * s, Math.round((plot.y0 + plot.y1) / 2 + textWidth(yLabel, s) / 2), s, INK, true);
  if (title) {
    const ts = s + 1;
    cv.text(title, Math.max(2, Math.round(W / 2 - textWidth(title, ts) / 2)), 6 * s, ts, INK);
  }

  // Legend box in the top right corner of the plot.
  if (drawn.length) {
    const rowH = lineH + 6 * s,
      swatch = 20 * s;
    const boxW = 8 * s + swatch + 6 * s + Math.max(...drawn.map((d) => textWidth(d.name, s))) + 8 * s;
    const boxH = 6 * s + rowH * drawn.length;
    const bx = plot.x1 - 8 * s - boxW,
      by = plot.y0 + 8 * s;
    cv.fill(bx, by, bx + boxW, by + boxH, FRAME);
    cv.fill(bx + 1, by + 1, bx + boxW - 1, by + boxH - 1, [255, 255, 255]);
    drawn.forEach((d, k) => {
      const ry = by + 6 * s + k * rowH,
        cy = ry + Math.floor((7 * s) / 2);
      const lx0 = bx + 8 * s + 2 * s,
        lx1 = bx + 8 * s + swatch - 2 * s,
        mid = (lx0 + lx1) / 2;
      const box: Rect = { x0: bx + 1, y0: ry, x1: bx + 8 * s + swatch, y1: ry + rowH };
      if (d.dots) cv.strokes([mid], [cy + 0.5], 2.5 * s, true, d.color, box);
      else cv.strokes([lx0, lx1], [cy + 0.5, cy + 0.5], s, false, d.color, box);
      cv.text(d.name, bx + 8 * s + swatch + 6 * s, ry, s, INK);
    });
  }
  return encodePng(W, H, cv.px);
}

/** One PNG chunk: length, type, data, CRC over type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes a `w` x `h` RGB raster (row-major, 3 bytes a pixel) as a PNG file. */
function encodePng(w: number, h: number, rgb: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, w);
  view.setUint32(4, h);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolor RGB, deflate, adaptive filtering, no interlace
  const stride = w * 3;
  const raw = new Uint8Array(h * (stride + 1)); // filter type 0 (None) leads each scanline
  for (let y = 0; y < h; y++) raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  const idat = chunk('IDAT', deflateSync(raw, { level: 9 }));
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', ihdr), idat, chunk('IEND', new Uint8Array(0))]));
}

/**
 * Renders `series` (see {@link renderLossCurve}) and writes the PNG to `file`
 * atomically (see {@link writeFileAtomic}: no temporary file is left behind).
 *
 * @param file destination path; its folder must exist
 * @param series curves to draw
 * @param opts size and labels (defaults as in {@link renderLossCurve})
 * @throws RangeError for invalid options or colors (nothing is written), or
 *   the file system error of writing `file` (an old `file` is left intact)
 */
export function writeLossCurvePng(file: string, series: Series[], opts?: PlotOptions): void {
  writeFileAtomic(file, renderLossCurve(series, opts));
}
