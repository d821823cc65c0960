/** The addon loader says what is wrong and how to fix it. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function load(env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', "await import('./lib/torch/index.js')"], {
    cwd: root, encoding: 'utf8', env: { ...process.env, ...env },
  });
  return { status: r.status, stderr: r.stderr };
}

describe('02 addon loader', function () {
  this.timeout(60_000);

  it('reports an addon built against another libtorch than LIBTORCH names, and how to rebuild', () => {
    const r = load({ LIBTORCH: '/opt/elsewhere/libtorch' });
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.contain('The torch native addon could not be loaded. Tried:');
    expect(r.stderr).to.match(/the addon was built against libtorch [\d.]+ from '.*', but LIBTORCH is now '\/opt\/elsewhere\/libtorch'; rebuild with `npm run build`/);
    expect(r.stderr).to.contain('Build it with `npm run build` (or `bash scripts/setup.sh`), with LIBTORCH set to the libtorch you want to use.');
  });

  it('lists every place it looked when TORCH_NODE_ADDON names a missing file', () => {
    const r = load({ TORCH_NODE_ADDON: '/nonexistent/torch_node.node', LIBTORCH: '/opt/elsewhere/libtorch' });
    expect(r.stderr).to.contain('  /nonexistent/torch_node.node: not found');
    expect(r.stderr).to.match(/build\/Release\/torch_node\.node: the addon was built against/);
  });
});
