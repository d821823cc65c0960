/** The addon loader says what is wrong and how to fix it. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function load(env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', "const t = await import('./lib/torch/index.js'); console.log('loaded', t.version)"], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('02 addon loader', function () {
  this.timeout(60_000);

  it('loads whatever LIBTORCH says at run time (other tools read that variable too)', () => {
    const r = load({ LIBTORCH: '/opt/elsewhere/libtorch' });
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
    expect(r.stdout).to.match(/^loaded \d+\.\d+\.\d+/);
  });

  it('lists every place it looked when TORCH_NODE_ADDON names a missing file', () => {
    const r = load({ TORCH_NODE_ADDON: '/nonexistent/torch_node.node' });
    expect(r.stdout).to.match(/^loaded /); // the build of record is found next
    const missing = load({ TORCH_NODE_ADDON: '/nonexistent/torch_node.node', TORCH_NODE_NO_DEFAULT_PATHS: '1' });
    expect(missing.status).to.not.equal(0);
    expect(missing.stderr).to.contain('The torch native addon could not be loaded. Tried:\n  /nonexistent/torch_node.node: not found\n');
    expect(missing.stderr).to.contain(
      'It needs libtorch from PyTorch 2.4 or newer (pip install torch). In this repository run `npm run build` (or `bash scripts/setup.sh`); ' +
        'in an installed package run `npx @torch-ts/torch build` to compile against the PyTorch found (LIBTORCH selects another libtorch).',
    );
  });

  describe('a build whose libtorch changed underneath it', () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'loader-'));
      mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
      copyFileSync(join(root, 'build', 'Release', 'torch_node.node'), join(dir, 'build', 'Release', 'torch_node.node'));
      // A library folder whose torch/version.py now says another version.
      mkdirSync(join(dir, 'torch', 'lib'), { recursive: true });
      writeFileSync(join(dir, 'torch', 'version.py'), "__version__ = '2.99.1+cpu'\n");
      const stamp = JSON.parse(readFileSync(join(root, 'build', 'libtorch-stamp.json'), 'utf8')) as Record<string, string>;
      writeFileSync(join(dir, 'build', 'libtorch-stamp.json'), JSON.stringify({ ...stamp, libdir: join(dir, 'torch', 'lib') }));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('is refused with both versions named and how to rebuild', () => {
      const r = load({ TORCH_NODE_ADDON: join(dir, 'build', 'Release', 'torch_node.node'), TORCH_NODE_NO_DEFAULT_PATHS: '1' });
      expect(r.status).to.not.equal(0);
      expect(r.stderr).to.match(
        new RegExp(
          `the addon was built against libtorch \\d+\\.\\d+\\.\\d+, but ${join(dir, 'torch', 'lib')} now holds 2\\.99\\.1\\+cpu; rebuild with \`npm run build\``,
        ),
      );
    });
  });
});
