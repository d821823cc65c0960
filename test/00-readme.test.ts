/** The README's example is examples/quickstart.ts verbatim, and it runs. */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('00 README example', function () {
  this.timeout(120_000);

  it('the README shows examples/quickstart.ts exactly', () => {
    const readme = readFileSync(`${root}/README.md`, 'utf8');
    const script = readFileSync(`${root}/examples/quickstart.ts`, 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme);
    expect(block, 'README has a ```ts block').to.not.equal(null);
    expect(block![1].replace("'./lib/torch/index.js'", "'../lib/torch/index.js'")).to.equal(script);
  });

  it('runs: tensors, gradients, and a model whose loss falls', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const out = r.stdout;
    expect(out).to.contain('tensor([[ 3.,  5.,  7.],\n        [ 9., 11., 13.]])');
    expect(out).to.contain('[ 15, 33 ] [ 9, 13 ]');
    expect(out).to.contain('[ 17, 29, 45 ]');
    const m = /mse ([\d.]+) -> ([\d.]+)/.exec(out);
    expect(m).to.not.equal(null);
    expect(Number(m![2])).to.be.below(Number(m![1]) / 20);
  });
});
