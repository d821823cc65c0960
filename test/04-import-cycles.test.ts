/**
 * The import-cycle check (scripts/check-cycles.ts, run by `npm test`): it must
 * find a cycle when there is one, ignore type-only imports, and find none in lib/.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cycles, runtimeImports } from '../scripts/check-cycles.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('04 import cycles', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cycles-'));
    const w = (name: string, text: string): void => fs.writeFileSync(path.join(dir, name), text);
    w('a.ts', "import { b } from './b.js';\nimport type { T } from './t.js';\nexport const a = (): number => b + 1;\nexport type A = T;\n");
    w('b.ts', "export { c as b } from './c.js';\n");
    w('c.ts', "import { a } from './a.js';\nexport const c = 1;\nexport const useA = (): number => a();\n");
    w('t.ts', "import { type A } from './a.js';\nexport type T = A | number;\n");
    w('d.ts', "import './a.js';\nconst lazy = (): Promise<unknown> => import('./e.js');\nexport { lazy };\n");
    w('e.ts', "import { lazy } from './d.js';\nexport const e = lazy;\n");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('follows import, export-from and bare imports, but not type-only or dynamic ones', () => {
    const rel = (f: string): string => path.basename(f);
    expect(runtimeImports(path.join(dir, 'a.ts')).map(rel)).to.deep.equal(['b.ts']);
    expect(runtimeImports(path.join(dir, 'b.ts')).map(rel)).to.deep.equal(['c.ts']);
    expect(runtimeImports(path.join(dir, 't.ts')).map(rel)).to.deep.equal([]);
    expect(runtimeImports(path.join(dir, 'd.ts')).map(rel)).to.deep.equal(['a.ts']);
  });

  it('reports a -> b -> c -> a and nothing for the type-only or lazy loops', () => {
    const files = ['a.ts', 'b.ts', 'c.ts', 't.ts', 'd.ts', 'e.ts'].map((f) => path.join(dir, f));
    const graph = new Map(files.map((f) => [f, runtimeImports(f)]));
    expect(cycles(graph).map((c) => c.map((f) => path.basename(f)).sort())).to.deep.equal([['a.ts', 'b.ts', 'c.ts']]);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-cycles.ts', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^check-cycles: 1 import cycle\(s\):\n {2}.*a\.ts -> .*b\.ts -> .*c\.ts -> .*a\.ts\n$/);
  });

  it('finds no cycle in lib/', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-cycles.ts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
    expect(r.stdout).to.match(/^check-cycles: no import cycles in lib \(\d+ files\)\n$/);
  });
});
