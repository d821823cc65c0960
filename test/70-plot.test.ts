/**
 * The PNG loss-curve writer: the files decode (chunks, CRCs, IDAT inflate,
 * dimensions), curves land in their colors, non-finite points are dropped,
 * empty input still gives axes, and writes are atomic.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { renderLossCurve, writeLossCurvePng, type Series } from '../lib/bert/plot.js';

/** Bitwise CRC-32 (no table), independent of the one under test. */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

interface Decoded {
  width: number;
  height: number;
  types: string[];
  rgb: Uint8Array;
}

/** Parses a PNG, checking signature, every chunk CRC, IHDR and filter-0 scanlines. */
function decodePng(png: Uint8Array): Decoded {
  expect([...png.subarray(0, 8)]).to.deep.equal([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const types: string[] = [];
  const idat: Uint8Array[] = [];
  let width = 0,
    height = 0;
  for (let at = 8; at < png.length; ) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    expect(view.getUint32(at + 8 + len), `${type} CRC`).to.equal(crc32(png.subarray(at + 4, at + 8 + len)));
    types.push(type);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      expect([...data.subarray(8)], 'bit depth 8, RGB, deflate, no filter set, no interlace').to.deep.equal([8, 2, 0, 0, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  expect(types[0]).to.equal('IHDR');
  expect(types[types.length - 1]).to.equal('IEND');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  expect(raw.length).to.equal(height * (stride + 1));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)], `row ${y} filter`).to.equal(0);
    rgb.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, types, rgb };
}

/** Number of pixels exactly of color `c`. */
function countColor(img: Decoded, c: [number, number, number]): number {
  let n = 0;
  for (let i = 0; i < img.rgb.length; i += 3) if (img.rgb[i] === c[0] && img.rgb[i + 1] === c[1] && img.rgb[i + 2] === c[2]) n++;
  return n;
}

/** Longest run of non-white pixels along any row (`horizontal`) or column. */
function longestRun(img: Decoded, horizontal: boolean): number {
  const [outer, inner] = horizontal ? [img.height, img.width] : [img.width, img.height];
  let best = 0;
  for (let o = 0; o < outer; o++) {
    let run = 0;
    for (let i = 0; i < inner; i++) {
      const p = (horizontal ? o * img.width + i : i * img.width + o) * 3;
      const white = img.rgb[p] === 255 && img.rgb[p + 1] === 255 && img.rgb[p + 2] === 255;
      run = white ? 0 : run + 1;
      if (run > best) best = run;
    }
  }
  return best;
}

const MAGENTA: [number, number, number] = [200, 30, 160];
const TEAL: [number, number, number] = [0, 128, 128];
const curve = (n: number, f: (i: number) => number): [number, number][] => Array.from({ length: n }, (_, i) => [i * 10, f(i)]);

describe('70 plot: PNG loss curve', () => {
  it('encodes a decodable 800x480 RGB PNG by default', () => {
    const img = decodePng(renderLossCurve([{ name: 'train', points: curve(100, (i) => 10 * Math.exp(-i / 20)) }]));
    expect([img.width, img.height]).to.deep.equal([800, 480]);
    expect(img.types).to.deep.equal(['IHDR', 'IDAT', 'IEND']);
    expect(countColor(img, [255, 255, 255])).to.be.greaterThan(800 * 480 * 0.5);
  });

  it('honours width and height', () => {
    const img = decodePng(renderLossCurve([], { width: 321, height: 207, title: 'tiny' }));
    expect([img.width, img.height]).to.deep.equal([321, 207]);
  });

  it('draws lines and dots in their series colors', () => {
    const series: Series[] = [
      { name: 'train', color: MAGENTA, points: curve(200, (i) => 5 + Math.sin(i / 7)) },
      { name: 'eval', color: TEAL, style: 'dots', points: curve(20, (i) => 5 - i / 10).map(([x, y]) => [x * 10, y]) },
    ];
    const img = decodePng(renderLossCurve(series, { title: 'loss', xLabel: 'iteration', yLabel: 'nll' }));
    expect(countColor(img, MAGENTA)).to.be.greaterThan(500);
    expect(countColor(img, TEAL)).to.be.greaterThan(100);
    const without = decodePng(renderLossCurve([{ ...series[0], color: [10, 200, 10] }]));
    expect(countColor(without, MAGENTA)).to.equal(0);
  });

  it('skips non-finite points exactly as if they were absent', () => {
    const dirty: [number, number][] = [
      [0, 1],
      [1, NaN],
      [2, Infinity],
      [NaN, 3],
      [-Infinity, 0],
      [3, -Infinity],
      [4, 2],
    ];
    const clean: [number, number][] = [
      [0, 1],
      [4, 2],
    ];
    const a = renderLossCurve([{ name: 'a', color: MAGENTA, points: dirty }]);
    const b = renderLossCurve([{ name: 'a', color: MAGENTA, points: clean }]);
    expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(true);
    expect(countColor(decodePng(a), MAGENTA)).to.be.greaterThan(500);
    const allBad = decodePng(
      renderLossCurve([
        {
          name: 'nan',
          color: MAGENTA,
          points: [
            [0, NaN],
            [1, Infinity],
          ],
        },
      ]),
    );
    expect(countColor(allBad, MAGENTA)).to.be.lessThan(200); // legend swatch only
  });

  it('draws axes, ticks and labels for empty input', () => {
    for (const series of [[], [{ name: 'none', points: [] }]] as Series[][]) {
      const img = decodePng(renderLossCurve(series));
      expect(longestRun(img, true), 'x axis').to.be.greaterThan(img.width * 0.7);
      expect(longestRun(img, false), 'y axis').to.be.greaterThan(img.height * 0.7);
      expect(countColor(img, [34, 34, 34]), 'text ink').to.be.greaterThan(50);
    }
  });

  it('handles a single point and constant y', () => {
    const one = decodePng(renderLossCurve([{ name: 'one', color: MAGENTA, style: 'dots', points: [[7, 3.5]] }]));
    expect(countColor(one, MAGENTA)).to.be.greaterThan(10);
    const flat = decodePng(renderLossCurve([{ name: 'flat', color: MAGENTA, points: curve(50, () => 2) }]));
    expect(countColor(flat, MAGENTA)).to.be.greaterThan(500);
    const zero = decodePng(
      renderLossCurve([
        {
          name: 'zero',
          color: MAGENTA,
          points: [
            [0, 0],
            [0, 0],
          ],
        },
      ]),
    );
    expect(zero.width).to.equal(800);
  });

  it('rejects bad sizes and colors with RangeError', () => {
    expect(() => renderLossCurve([], { width: 10 })).to.throw(RangeError, /width/);
    expect(() => renderLossCurve([], { height: 100.5 })).to.throw(RangeError, /height/);
    expect(() => renderLossCurve([{ name: 'x', color: [0, 0, 256], points: [] }])).to.throw(RangeError, /color/);
  });

  describe('writeLossCurvePng', () => {
    let dir = '';
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'plot-test-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('writes the rendered bytes and leaves no temporary file', () => {
      const series: Series[] = [{ name: 'train', color: MAGENTA, points: curve(30, (i) => 1 / (i + 1)) }];
      const file = path.join(dir, 'loss.png');
      writeFileSync(file, 'old contents');
      writeLossCurvePng(file, series, { title: 'run 1' });
      expect(readdirSync(dir)).to.deep.equal(['loss.png']);
      const bytes = readFileSync(file);
      expect(bytes.equals(Buffer.from(renderLossCurve(series, { title: 'run 1' })))).to.equal(true);
      expect(countColor(decodePng(bytes), MAGENTA)).to.be.greaterThan(100);
    });

    it('cleans up its temporary file when the rename fails', () => {
      const target = path.join(dir, 'taken');
      mkdirSync(path.join(target, 'child'), { recursive: true });
      expect(() => writeLossCurvePng(target, [])).to.throw();
      expect(readdirSync(dir)).to.deep.equal(['taken']);
    });

    it('throws without writing anything for bad options', () => {
      expect(() => writeLossCurvePng(path.join(dir, 'bad.png'), [], { width: 0 })).to.throw(RangeError);
      expect(readdirSync(dir)).to.deep.equal([]);
    });
  });
});
