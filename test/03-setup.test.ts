/**
 * scripts/setup.sh and the CMake build refuse a libtorch older than the
 * oldest supported PyTorch, saying what to install.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A CMake prefix holding only a Torch package of `version` (enough for find_package). */
function fakeLibtorch(dir: string, version: string): string {
  const cfg = join(dir, 'share', 'cmake', 'Torch');
  mkdirSync(cfg, { recursive: true });
  writeFileSync(join(cfg, 'TorchConfig.cmake'), 'set(TORCH_LIBRARIES "")\n');
  writeFileSync(join(cfg, 'TorchConfigVersion.cmake'), `set(PACKAGE_VERSION "${version}")\nset(PACKAGE_VERSION_COMPATIBLE TRUE)\n`);
  return join(dir, 'share', 'cmake');
}

describe('03 setup: where libtorch comes from', function () {
  this.timeout(120_000);
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'setup-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('setup.sh refuses a LIBTORCH older than 2.4 and says what to install', () => {
    const prefix = fakeLibtorch(dir, '1.13.1');
    const r = spawnSync('bash', ['scripts/setup.sh'], { cwd: root, encoding: 'utf8', env: { ...process.env, LIBTORCH: prefix } });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain(
      `setup.sh: PyTorch 1.13.1 at ${prefix} is older than 2.4, the oldest this project supports; install a newer one (pip install 'torch>=2.4') or point LIBTORCH at a libtorch 2.4+ folder`,
    );
  });

  it('setup.sh says what LIBTORCH must name when it holds no libtorch', () => {
    const r = spawnSync('bash', ['scripts/setup.sh'], { cwd: root, encoding: 'utf8', env: { ...process.env, LIBTORCH: dir } });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain(
      `setup.sh: LIBTORCH=${dir} holds no TorchConfigVersion.cmake: point it at a libtorch folder or at torch.utils.cmake_prefix_path`,
    );
  });

  it('the CMake build refuses libtorch 2.3 with the same advice', () => {
    const prefix = fakeLibtorch(join(dir, 'torch'), '2.3.1');
    const r = spawnSync('cmake', ['-S', root, '-B', join(dir, 'build'), `-DCMAKE_PREFIX_PATH=${prefix}`], {
      encoding: 'utf8',
      env: { ...process.env, LIBTORCH: '' },
    });
    expect(r.status).to.not.equal(0);
    expect(r.stderr.replace(/\s+/g, ' ')).to.contain(
      'torch_node: libtorch 2.3.1 (from ' +
        join(prefix, 'Torch') +
        ") is older than 2.4, the oldest this project supports. Install PyTorch 2.4 or newer (`pip install 'torch>=2.4'`) or set LIBTORCH to a libtorch 2.4+ folder.",
    );
  });
});
