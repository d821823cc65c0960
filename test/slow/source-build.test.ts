/**
 * The source-build fallback as a user meets it: @torch-ts/torch installed from
 * its tarball without the prebuilt binary package (`--omit=optional`, as on a
 * platform no prebuilt exists for), no lockfile, no apt, no sudo. Before the
 * build, importing it fails with an error that names `npx @torch-ts/torch build`;
 * `npx torch-ts build` then compiles the addon inside node_modules against
 * the PyTorch that PYTHON imports, and a small model trains with plain node,
 * loading that build.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { referencePython } from '../../scripts/reference-python.js';
import { ok, sh, TRAIN, trainReport } from '../helpers/consumer.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('source build: npx torch-ts build inside node_modules', function () {
  this.timeout(1_800_000);
  let project = '';
  // Neither LIBTORCH nor a TORCH_NODE_ADDON of the development tree may leak in: the package finds PyTorch through PYTHON.
  const env = { PYTHON: referencePython(), LIBTORCH: '', TORCH_NODE_ADDON: '' };

  before(() => {
    ok(sh(process.execPath, ['--import', 'tsx', 'scripts/pack.ts'], root), 'scripts/pack.ts');
    const dir = join(root, 'dist', 'tarballs');
    const tarball = readdirSync(dir).find((f) => /^torch-ts-torch-\d+\.\d+\.\d+\.tgz$/.test(f));
    expect(tarball, readdirSync(dir).join(', ')).to.be.a('string');
    project = mkdtempSync(join(tmpdir(), 'source-build-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
    writeFileSync(join(project, 'train.mjs'), `import * as torch from '@torch-ts/torch';\n${TRAIN}`);
    ok(
      sh(
        'npm',
        ['install', '--omit=optional', '--no-package-lock', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(dir, tarball ?? '')],
        project,
      ),
      'npm install --omit=optional of the torch tarball',
    );
  });
  after(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('without a prebuilt binary or a build, the import fails and says to run npx @torch-ts/torch build', () => {
    const scoped = readdirSync(join(project, 'node_modules', '@torch-ts'));
    expect(scoped).to.deep.equal(['torch']);
    const r = sh(process.execPath, ['train.mjs'], project, env);
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.include('npx @torch-ts/torch build');
  });

  it('npx torch-ts build compiles the addon against the PyTorch that PYTHON imports', () => {
    const out = ok(sh('npx', ['--no-install', 'torch-ts', 'build'], project, env), 'npx torch-ts build');
    expect(out).to.match(/building against PyTorch 2\.\d+/);
    expect(existsSync(join(project, 'node_modules', '@torch-ts', 'torch', 'build'))).to.equal(true);
  });

  it('trains a small model with plain node, loading the source build', () => {
    const r = trainReport(ok(sh(process.execPath, ['train.mjs'], project, env), 'node train.mjs'));
    expect(r.addon.source).to.equal('build');
    expect(r.addon.path.startsWith(join(project, 'node_modules', '@torch-ts', 'torch', 'build'))).to.equal(true);
    expect(r.last).to.be.below(r.first / 10);
    const pyVersion = ok(sh(env.PYTHON, ['-c', 'import torch; print(torch.__version__.split("+")[0])'], project), 'python -c torch.__version__').trim();
    expect(r.version.split('+')[0]).to.equal(pyVersion);
  });
});
