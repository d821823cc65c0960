/**
 * Coverage of PyTorch's public op surface, recomputed from the snapshot
 * (scripts/ops-snapshot.json): every public name of torch, Tensor,
 * nn.functional, linalg, special and fft that maps to aten operators must
 * exist in TS or be excluded with a reason in scripts/ops-exceptions.ts, the
 * share must stay at 95% or more per namespace, and at least the counts the
 * README states.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as torch from '../lib/torch/index.js';
import { camel } from '../scripts/op-names.js';
import { EXCLUDED, RENAMES } from '../scripts/ops-exceptions.js';

interface Entry {
  name: string;
  overloads?: unknown[];
}
const snapshot = JSON.parse(readFileSync(new URL('../scripts/ops-snapshot.json', import.meta.url), 'utf8')) as {
  torchVersion: string;
  namespaces: Record<string, Entry[]>;
};
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

const HOLDERS: Record<string, object> = {
  torch,
  Tensor: torch.Tensor.prototype,
  'nn.functional': torch.nn.functional,
  linalg: torch.linalg,
  special: torch.special,
  fft: torch.fft,
};
const README_LABEL: Record<string, string> = {
  torch: 'torch.*',
  Tensor: 'Tensor',
  'nn.functional': 'nn.functional',
  linalg: 'linalg',
  special: 'special',
  fft: 'fft',
};

/** Whether TS has the name: a function, or (Tensor) a property getter. */
function present(holder: object, name: string): boolean {
  let o: object | null = holder;
  while (o !== null) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d !== undefined) return typeof d.value === 'function' || typeof d.get === 'function';
    o = Object.getPrototypeOf(o);
  }
  return false;
}

describe('12 core: coverage of PyTorch 2.13 public ops', () => {
  it(`the snapshot is of PyTorch ${torch.version}`, () => {
    expect(snapshot.torchVersion.split('+')[0]).to.equal(torch.version);
  });

  for (const [ns, holder] of Object.entries(HOLDERS)) {
    it(`${ns}: 95% or more, every gap excluded with a reason, no less than the README states`, () => {
      const mapped = snapshot.namespaces[ns].filter((e) => (e.overloads ?? []).length > 0);
      const missing: string[] = [];
      const coveredButExcluded: string[] = [];
      for (const e of mapped) {
        const key = `${ns}:${e.name}`;
        const has = present(holder, RENAMES[key] ?? camel(e.name));
        if (!has) missing.push(e.name);
        if (has && EXCLUDED[key] !== undefined) coveredButExcluded.push(e.name);
      }
      const covered = mapped.length - missing.length;
      // Every gap is a decision with a reason, not an accident.
      expect(
        missing.filter((n) => !(EXCLUDED[`${ns}:${n}`] ?? '').trim()),
        `${ns} names neither in TS nor excluded`,
      ).to.deep.equal([]);
      expect(coveredButExcluded, `${ns} names excluded but present (stale exclusions)`).to.deep.equal([]);
      expect(covered / mapped.length, `${ns} coverage ${covered}/${mapped.length}`).to.be.at.least(0.95);
      const m = new RegExp(`${README_LABEL[ns].replace(/[.*]/g, '\\$&')} (\\d+) of (\\d+)`).exec(readme);
      expect(m, `README states the ${ns} count`).to.not.equal(null);
      const [, stated, of] = m as RegExpExecArray;
      expect(Number(of), `README's ${ns} total`).to.equal(mapped.length);
      expect(covered, `${ns} coverage dropped below the README's ${stated}`).to.be.at.least(Number(stated));
    });
  }

  it('every exclusion names a public aten-backed name of the snapshot', () => {
    const known = new Set(
      Object.entries(snapshot.namespaces).flatMap(([ns, es]) => es.filter((e) => (e.overloads ?? []).length > 0).map((e) => `${ns}:${e.name}`)),
    );
    expect(Object.keys(EXCLUDED).filter((k) => !known.has(k))).to.deep.equal([]);
  });
});
