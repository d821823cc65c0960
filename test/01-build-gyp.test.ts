/**
 * binding.gyp builds the same sources with node-gyp (the build of record is
 * CMake via cmake-js, run by scripts/setup.sh) against the same libtorch, and
 * the result works.
 */
import { expect } from 'chai';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { libtorchStamp } from '../scripts/reference-python.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('01 node-gyp build', function () {
  this.timeout(600_000);

  it('node-gyp rebuild compiles binding.gyp and the addon runs an op', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torch-gyp-'));
    try {
      cpSync(join(root, 'binding.gyp'), join(dir, 'binding.gyp'));
      cpSync(join(root, 'native'), join(dir, 'native'), { recursive: true });
      cpSync(join(root, 'scripts'), join(dir, 'scripts'), { recursive: true });
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
      const prefix = dirname(dirname(process.execPath));
      const nodedir = existsSync(join(prefix, 'include', 'node', 'node.h')) ? [`--nodedir=${prefix}`] : [];
      const r = spawnSync(process.execPath, [join(root, 'node_modules/node-gyp/bin/node-gyp.js'), 'rebuild', '-j', '2', ...nodedir], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, LIBTORCH: libtorchStamp()?.prefix ?? '' },
      });
      expect(r.status, r.stderr.slice(-3000)).to.equal(0);
      const addon = createRequire(import.meta.url)(join(dir, 'build/Release/torch_node.node')) as {
        init(c: unknown): void;
        torchVersion: string;
        fromBytes(a: Float32Array, d: number, s: number[]): unknown;
        lookupOp(n: string, o: string): number;
        callOp(id: number, ...a: unknown[]): unknown;
        toBytes(h: unknown): ArrayBuffer;
      };
      addon.init(Error);
      expect(addon.torchVersion).to.match(/^\d+\.\d+/);
      const a = addon.fromBytes(new Float32Array([1, 2, 3]), 6, [3]);
      const sum = addon.callOp(addon.lookupOp('aten::add', 'Tensor'), a, a);
      expect(Array.from(new Float32Array(addon.toBytes(sum)))).to.deep.equal([2, 4, 6]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
