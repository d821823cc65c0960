/**
 * scripts/py-packages.sh (run by scripts/setup.sh): transformers and
 * safetensors go into the reference Python's virtual environment once; later
 * runs only read the stamp; a failed pip is reported and not retried every
 * run; Pythons outside a virtual environment are left alone.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers/hf.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('65 setup: the Python packages of the Hugging Face tests', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let venv = '';
  const stamp = () => join(venv, '.torch-ts-bert-packages');
  const pipLog = () => (existsSync(join(venv, 'pip.log')) ? readFileSync(join(venv, 'pip.log'), 'utf8') : '');
  const run = (env: Record<string, string> = {}) =>
    spawnSync('bash', ['scripts/py-packages.sh', join(venv, 'bin', 'python')], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });

  beforeEach(() => {
    tmp = tempDir('py-packages-');
    venv = join(tmp.dir, 'venv');
    mkdirSync(join(venv, 'bin'), { recursive: true });
    writeFileSync(join(venv, 'pyvenv.cfg'), 'home = /usr/bin\n');
    // A pip that logs its arguments and fails when PIP_FAIL is set.
    writeFileSync(join(venv, 'bin', 'pip'), `#!/bin/sh\necho "$@" >> "${join(venv, 'pip.log')}"\n[ -z "$PIP_FAIL" ]\n`);
    chmodSync(join(venv, 'bin', 'pip'), 0o755);
  });
  afterEach(() => tmp.remove());

  it('installs transformers and safetensors once, then only reads the stamp', () => {
    const first = run();
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.equal(`setup: installing transformers safetensors into ${venv} (pip; the tests compare with them)\n`);
    expect(pipLog()).to.equal('install --quiet --disable-pip-version-check --retries 1 --timeout 30 transformers safetensors\n');
    expect(readFileSync(stamp(), 'utf8')).to.equal('safetensors transformers\n');
    const t0 = performance.now();
    const second = run();
    const ms = performance.now() - t0;
    expect(second.status).to.equal(0);
    expect(second.stdout).to.equal('');
    expect(pipLog().split('\n').filter(Boolean)).to.have.length(1);
    expect(ms).to.be.below(1000);
  });

  it('installs only what the stamp lacks (a .venv made before transformers was on the list)', () => {
    writeFileSync(stamp(), 'transformers\n');
    const r = run();
    expect(r.stdout).to.equal(`setup: installing safetensors into ${venv} (pip; the tests compare with them)\n`);
    expect(pipLog()).to.match(/ safetensors\n$/);
    expect(readFileSync(stamp(), 'utf8')).to.equal('safetensors transformers\n');
  });

  it('reports a failed pip, does not fail setup, and does not retry on every run', () => {
    const r = run({ PIP_FAIL: '1' });
    expect(r.status).to.equal(0);
    expect(r.stderr).to.contain(
      `setup: pip could not install transformers safetensors into ${venv}; the tests that compare with them will be skipped ` +
        `(install them with ${venv}/bin/pip install transformers safetensors, then delete ${stamp()})`,
    );
    expect(readFileSync(stamp(), 'utf8')).to.equal('failed:safetensors failed:transformers\n');
    const again = run();
    expect(again.stdout + again.stderr).to.equal('');
    expect(pipLog().split('\n').filter(Boolean)).to.have.length(1);
  });

  it('leaves a Python outside a virtual environment alone', () => {
    const r = spawnSync('bash', ['scripts/py-packages.sh', '/usr/bin/python3'], { cwd: root, encoding: 'utf8' });
    expect(r.status).to.equal(0);
    expect(r.stdout + r.stderr).to.equal('');
  });
});
