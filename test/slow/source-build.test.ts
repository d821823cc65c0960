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
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { referencePython } from '../../scripts/reference-python.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ...env } });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  expect(r.status, `${what} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).to.equal(0);
  return r.stdout;
}

const TRAIN = `
import * as torch from '@torch-ts/torch';
const { nn, optim } = torch;
torch.manualSeed(0);
const model = new nn.Sequential(new nn.Linear(1, 16), new nn.ReLU(), new nn.Linear(16, 1));
const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
const x = torch.linspace(-1, 1, 64).view(-1, 1);
const y = x.mul(3).sub(1);
const losses = [];
for (let step = 0; step < 40; step++) {
  losses.push(torch.tidy(() => {
    opt.zeroGrad();
    const loss = nn.functional.mseLoss(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss.item();
  }));
}
console.log(JSON.stringify({ first: losses[0], last: losses.at(-1), addon: torch.addonInfo(), version: torch.version }));
`;

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
    writeFileSync(join(project, 'train.mjs'), TRAIN);
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
    const line =
      ok(sh(process.execPath, ['train.mjs'], project, env), 'node train.mjs')
        .trim()
        .split('\n')
        .pop() ?? '';
    const r = JSON.parse(line) as { first: number; last: number; addon: { source: string; path: string }; version: string };
    expect(r.addon.source).to.equal('build');
    expect(r.addon.path.startsWith(join(project, 'node_modules', '@torch-ts', 'torch', 'build'))).to.equal(true);
    expect(r.last).to.be.below(r.first / 10);
    const pyVersion = ok(sh(env.PYTHON, ['-c', 'import torch; print(torch.__version__.split("+")[0])'], project), 'python -c torch.__version__').trim();
    expect(r.version.split('+')[0]).to.equal(pyVersion);
  });
});
