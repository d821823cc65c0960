/** Every operator the generated layer and the factories call exists in the libtorch in use. */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { native } from '../lib/torch/native.js';

describe('11 core: op spec against this libtorch', () => {
  it('every aten overload named by generated/ops.ts and creation.ts resolves in the dispatcher', () => {
    const files = ['../lib/torch/generated/ops.ts', '../lib/torch/creation.ts'];
    const found = new Set<string>();
    for (const f of files) {
      const text = readFileSync(new URL(f, import.meta.url), 'utf8');
      for (const m of text.matchAll(/(?:lookup|op)\('aten::(\w+)'(?:, '(\w*)')?\)/g)) found.add(`${m[1]}.${m[2] ?? ''}`);
    }
    expect(found.size).to.be.greaterThan(150);
    const missing: string[] = [];
    for (const key of found) {
      const [name, overload] = key.split('.');
      try {
        native.lookupOp(`aten::${name}`, overload);
      } catch {
        missing.push(key);
      }
    }
    expect(missing).to.deep.equal([]);
  });
});
