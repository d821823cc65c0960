import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BERTCSVDataset, int64FromInt32, parseBertCsv, type BERTCSVDatasetOptions } from '../lib/bert/dataset.js';
import { examplesToCsv, type PretrainingExample } from '../lib/bert/prepare.js';

const HEADER = 'BERT Input,BERT Label,Segment Label,Is Next';
const GOOD = '"[2, 11, 4, 3, 12, 3]","[0, 0, 13, 0, 0, 0]","[1, 1, 1, 1, 2, 2]",1';

describe('50 data: BERTCSVDataset', () => {
  let dir: string;
  let n = 0;
  const file = (text: string): string => {
    const f = path.join(dir, `f${n++}.csv`);
    writeFileSync(f, text);
    return f;
  };
  /** Loads, capturing warnings. */
  const load = (text: string, options: BERTCSVDatasetOptions = {}): { ds: BERTCSVDataset; warnings: string[] } => {
    const warnings: string[] = [];
    const ds = new BERTCSVDataset(file(text), { onWarning: (m) => warnings.push(m), ...options });
    return { ds, warnings };
  };

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bertcsv-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads rows as int64 tensors like the course (0-d Is Next)', () => {
    const examples: PretrainingExample[] = [
      { bertInput: [2, 5, 4, 3, 6, 7, 3], bertLabel: [0, 0, 9, 0, 0, 8, 0], segmentLabel: [1, 1, 1, 1, 2, 2, 2], isNext: 1 },
      { bertInput: [2, 8, 3, 4, 3], bertLabel: [0, 0, 0, 30, 0], segmentLabel: [1, 1, 1, 2, 2], isNext: 0 },
    ];
    const { ds, warnings } = load(examplesToCsv(examples), { vocabSize: 31 });
    expect(warnings).to.deep.equal([]);
    expect(ds.length).to.equal(2);
    const s = ds.get(1);
    expect(s.bertInput.dtype).to.equal('int64');
    expect(s.bertInput.tolist()).to.deep.equal([2, 8, 3, 4, 3]);
    expect(s.bertLabel.tolist()).to.deep.equal([0, 0, 0, 30, 0]);
    expect(s.segmentLabel.tolist()).to.deep.equal([1, 1, 1, 2, 2]);
    expect(s.isNext.shape).to.deep.equal([]);
    expect(s.isNext.item()).to.equal(0);
    expect(ds.get(-2).bertInput.tolist()).to.deep.equal([2, 5, 4, 3, 6, 7, 3]);
    const raw = ds.getRaw(0);
    expect(Array.from(raw.bertInput)).to.deep.equal(examples[0].bertInput);
    expect(raw.isNext).to.equal(1);
    expect(ds.data.offsets).to.deep.equal(Int32Array.from([0, 7, 12]));
    expect(ds.data.inputs).to.be.instanceOf(Int32Array);
    expect(ds.rowLength(1)).to.equal(5);
    expect(() => ds.get(2)).to.throw(RangeError, 'Index 2 is out of range for BERTCSVDataset of length 2');
  });

  it('accepts extra columns, any column order, CRLF, a BOM, spaces in lists and True/False', () => {
    const text =
      '\uFEFFIs Next,Original Text,Segment Label,BERT Label,BERT Input\r\n' +
      'True,"a, b","[1,1 ,2]","[ 0,0,0 ]"," [2, 5, 3] "\r\n' +
      '0.0,"c","[1, 2, 2]","[0, 0, 0]","[2, 6, 3]"\r\n';
    const { ds, warnings } = load(text);
    expect(warnings).to.deep.equal([]);
    expect(ds.length).to.equal(2);
    expect(ds.get(0).isNext.item()).to.equal(1);
    expect(ds.get(1).isNext.item()).to.equal(0);
    expect(ds.get(0).segmentLabel.tolist()).to.deep.equal([1, 1, 2]);
  });

  it('skips every kind of bad row and reports them in one warning with line numbers', () => {
    const lines = [
      HEADER, // 1
      GOOD, // 2
      '"[2, 11, 3"' + ',"[0, 0, 0]","[1, 1, 1]",1', // 3 unparsable JSON
      '"[2, 11, 3]","[0, 0]","[1, 1, 1]",1', // 4 lengths differ
      '"[2, 99, 3]","[0, 0, 0]","[1, 1, 1]",1', // 5 id outside vocabulary
      '"[2, 11, 3]","[0, 0, 0]"', // 6 missing columns
      '"[2, 1.5, 3]","[0, 0, 0]","[1, 1, 1]",1', // 7 non-integer value
      '"[2, 11, 3]","[0, 0, 0]","[1, 1, 1]",maybe', // 8 bad Is Next
      '"[2, 11, 3]","[0, 0, 0]","[1, 3, 1]",0', // 9 bad segment
      '"{""a"": 1}","[0]","[1]",0', // 10 not a list
      '"[2, -1, 3]","[0, 0, 0]","[1, 1, 1]",1', // 11 negative id
      '"[]","[]","[]",1', // 12 empty
      '"[2, 3]"x,"[0, 0]","[1, 1]",1', // 13 CSV error
      '"[2, 11, 3]","[0, 0, 0]","[1, 1, 1]",1,extra', // 14 extra field
      GOOD, // 15
    ];
    const { ds, warnings } = load(`${lines.join('\n')}\n`, { vocabSize: 50, maxReported: 20 });
    expect(ds.length).to.equal(2);
    expect(ds.totalRows).to.equal(14);
    expect(warnings.length).to.equal(1);
    const w = warnings[0];
    expect(w).to.match(/^.*f\d+\.csv: skipped 12 bad row\(s\) of 14: /);
    const expected = [
      "line 3: 'BERT Input' is not valid JSON: '[2, 11, 3'",
      'line 4: list lengths differ: BERT Input 3, BERT Label 2, Segment Label 3',
      "line 5: 'BERT Input' has id 99 outside the vocabulary (size 50)",
      'line 6: expected 4 fields but found 2',
      "line 7: 'BERT Input' has a non-integer value '1.5'",
      "line 8: 'Is Next' is 'maybe' (expected 0 or 1)",
      "line 9: 'Segment Label' has value 3 (expected 0, 1 or 2)",
      "line 10: 'BERT Input' is not a list: '{\"a\": 1}'",
      "line 11: 'BERT Input' has a negative id -1",
      "line 12: 'BERT Input' is empty",
      'line 13: CSV error: Invalid Closing Quote: got "x" at line 13',
      'line 14: expected 4 fields but found 5',
    ];
    for (const e of expected) expect(w).to.include(e);
    expect(ds.skippedRows.map((r) => r.line)).to.deep.equal([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    // Without a vocabulary size, large ids are fine.
    expect(load(lines.slice(0, 2).concat(lines[4]).join('\n')).ds.length).to.equal(2);
  });

  it('reads regular files on a fast path with the same result as csv-parse', () => {
    const rows = [HEADER];
    for (let i = 0; i < 300; i++) {
      const n = 3 + (i % 9);
      const ids = Array.from({ length: n }, (_, k) => (k * 7 + i) % 40);
      rows.push(`"[${ids.join(', ')}]","[${ids.map((x) => x % 3).join(',')}]"," [${ids.map((_, k) => (k < n / 2 ? 1 : 2)).join(', ')}] ",${i % 2}`);
      if (i % 50 === 7) rows.push('"[2, 3]","[0]","[1, 1]",1', '', '"[2, 3]",,"[1, 1]",1', 'x,y,z,w', '"[2,,3]","[0,0]","[1,1]",1,');
    }
    const text = `${rows.join('\r\n')}\r\n`;
    const fast = parseBertCsv(text, 'f.csv', 40);
    const slow = parseBertCsv(text, 'f.csv', 40, { fastPath: false });
    expect(fast.data.offsets.length).to.equal(slow.data.offsets.length);
    expect(fast.data.offsets.length).to.be.above(200);
    expect(fast.data.inputs).to.deep.equal(slow.data.inputs);
    expect(fast.data.labels).to.deep.equal(slow.data.labels);
    expect(fast.data.segments).to.deep.equal(slow.data.segments);
    expect(fast.data.isNext).to.deep.equal(slow.data.isNext);
    expect(fast.skipped).to.deep.equal(slow.skipped);
    expect(fast.totalRows).to.equal(slow.totalRows);
    expect(fast.skipped.length).to.be.above(20);
  });

  it('limits the warning and uses console.warn by default', () => {
    const rows = [HEADER, GOOD];
    for (let i = 0; i < 30; i++) rows.push('"[2]","[0, 0]","[1]",1');
    const f = file(rows.join('\n'));
    const warn = console.warn;
    const seen: string[] = [];
    console.warn = (m: string) => void seen.push(m);
    try {
      new BERTCSVDataset(f);
      new BERTCSVDataset(f, { onWarning: null });
    } finally {
      console.warn = warn;
    }
    expect(seen.length).to.equal(1);
    expect(seen[0]).to.include('skipped 30 bad row(s) of 31: line 3: list lengths differ');
    expect(seen[0]).to.match(/line 12: [^;]*; and 20 more$/);
  });

  it('skips rows longer than the model takes (maxLength), naming their lines, on both parsing paths', () => {
    const long = (n: number): string => {
      const ids = Array.from({ length: n }, (_, i) => (i === 0 ? 2 : 5));
      return `"[${ids.join(', ')}]","[${ids.map(() => 0).join(', ')}]","[${ids.map(() => 1).join(', ')}]",0`;
    };
    const text = [HEADER, GOOD, long(9), GOOD, long(6001), ''].join('\n');
    const { ds, warnings } = load(text, { maxLength: 8 });
    expect(ds.length).to.equal(2);
    expect(ds.skippedRows).to.deep.equal([
      { line: 3, reason: "9 tokens, longer than the model's maximum length 8" },
      { line: 5, reason: "6001 tokens, longer than the model's maximum length 8" },
    ]);
    expect(warnings[0]).to.match(/skipped 2 bad row\(s\) of 4: line 3: 9 tokens, longer than the model's maximum length 8; line 5: 6001 tokens/);
    const slow = parseBertCsv(text, 'x.csv', undefined, { fastPath: false, maxLength: 8 });
    expect(slow.skipped).to.deep.equal(ds.skippedRows);
    expect(() => load(text, { maxLength: 0 })).to.throw(RangeError, 'Expected a positive integer for maxLength but received 0 of type number');
  });

  it('reports a multi-line record by its first line', () => {
    const text = [HEADER, '"[2,\n11,\n3]","[0, 0]","[1, 1, 1]",1', GOOD].join('\n');
    const { ds, warnings } = load(text);
    expect(ds.length).to.equal(1);
    expect(warnings[0]).to.include('line 2: list lengths differ');
  });

  it('survives huge lines: a 1M-token row loads, a 20 MB garbage row is skipped with a short reason', () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => i % 100);
    const bigRow = `"[${big.join(', ')}]","[${big.map(() => 0).join(', ')}]","[${big.map(() => 1).join(', ')}]",1`;
    const garbage = `"[${'x'.repeat(20_000_000)}]","[0]","[1]",1`;
    const { ds, warnings } = load([HEADER, GOOD, bigRow, garbage, GOOD].join('\n'));
    expect(ds.length).to.equal(3);
    expect(ds.rowLength(1)).to.equal(1_000_000);
    expect(Array.from(ds.getRaw(1).bertInput.subarray(0, 5))).to.deep.equal([0, 1, 2, 3, 4]);
    expect(warnings.length).to.equal(1);
    expect(warnings[0].length).to.be.below(300);
    expect(warnings[0]).to.include("line 4: 'BERT Input' is not valid JSON: '[xxxxxxxx");
    expect(warnings[0]).to.include('(20000002 characters)');
  });

  it('refuses empty files, wrong headers, header-only files and files without a usable row', () => {
    const f0 = file('');
    expect(() => new BERTCSVDataset(f0)).to.throw(`${f0} is empty (expected the header ${HEADER})`);
    const f1 = file('\n  \n');
    expect(() => new BERTCSVDataset(f1)).to.throw(`${f1} is empty`);
    const f2 = file(`BERT Input,BERT Labels,Segment Label\n${GOOD}\n`);
    expect(() => new BERTCSVDataset(f2)).to.throw(
      `${f2} has a wrong header: missing column(s) 'BERT Label', 'Is Next' (found 'BERT Input', 'BERT Labels', 'Segment Label'; expected ${HEADER})`,
    );
    const f3 = file(`${GOOD}\n${GOOD}\n`);
    expect(() => new BERTCSVDataset(f3)).to.throw(`${f3} has a wrong header: missing column(s)`);
    const f4 = file(`${HEADER}\n`);
    expect(() => new BERTCSVDataset(f4)).to.throw(`${f4} has no data rows (only the header)`);
    const f5 = file(`${HEADER}\n"[1","[0]","[1]",1\n"[2]","[0, 0]","[1]",1\n`);
    expect(() => new BERTCSVDataset(f5, { onWarning: null })).to.throw(
      `${f5} has no usable row: all 2 row(s) are bad (line 2: 'BERT Input' is not valid JSON: '[1'; line 3: list lengths differ`,
    );
    const f6 = path.join(dir, 'missing.csv');
    expect(() => new BERTCSVDataset(f6)).to.throw(`Cannot read ${f6}: ENOENT`);
    expect(() => new BERTCSVDataset(f6, { vocabsize: 3 } as never)).to.throw(TypeError, "Unknown option 'vocabsize' for BERTCSVDataset");
    expect(() => new BERTCSVDataset(f6, { vocabSize: 0 })).to.throw(RangeError, 'Expected a positive integer for vocabSize but received 0 of type number');
  });

  it('moves to shared memory for workers and rebuilds from the arrays', () => {
    const { ds } = load([HEADER, GOOD, GOOD.replace('11', '21')].join('\n'));
    const spec = ds.workerSpec();
    expect(spec.exportName).to.equal('BERTCSVDataset');
    expect(spec.factory).to.equal('fromData');
    expect(ds.data.inputs.buffer).to.be.instanceOf(SharedArrayBuffer);
    const copy = BERTCSVDataset.fromData(structuredClone(ds.data));
    expect(copy.length).to.equal(2);
    expect(copy.get(1).bertInput.tolist()).to.deep.equal([2, 21, 4, 3, 12, 3]);
    expect(int64FromInt32([1, -2, 2147483647])).to.deep.equal(BigInt64Array.from([1n, -2n, 2147483647n]));
  });
});
