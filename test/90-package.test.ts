/**
 * The packages as a user gets them: scripts/pack.ts packs @torch-ts/torch,
 * @torch-ts/bert and this machine's prebuilt binary package; a scratch
 * project installs the tarballs, type-checks a bare import under strict
 * flags (skipLibCheck off), trains a small model with plain node as ESM and
 * through require (CommonJS), loading the prebuilt binary without compiling;
 * publint and @arethetypeswrong/cli find no errors; the app's command runs
 * from its installed form.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { referencePython } from '../scripts/reference-python.js';
import { ok, sh, TRAIN, trainReport } from './helpers/consumer.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The user's PyTorch: the prebuilt binary loads the libtorch of the torch package this Python has. */
const USER_ENV = { PYTHON: referencePython() };
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

describe('90 packages: install the tarballs and use them', function () {
  this.timeout(900_000);
  let project = '';
  let tarballs: string[] = [];
  let prebuiltName = '';

  before(() => {
    ok(sh(process.execPath, ['--import', 'tsx', 'scripts/pack.ts', '--prebuilt'], root), 'scripts/pack.ts --prebuilt');
    const dir = join(root, 'dist', 'tarballs');
    tarballs = readdirSync(dir).map((f) => join(dir, f));
    prebuiltName = readdirSync(dir).find((f) => f.includes('-torch2.') && f.includes('linux')) ?? '';
    project = mkdtempSync(join(tmpdir(), 'consumer-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
    // A TypeScript user of a Node library has Node's types (the library's mention Buffer and Symbol.dispose).
    ok(
      sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs, '@types/node@20'], project),
      'npm install of the tarballs',
    );
  });
  after(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('packs three packages with license, types and no tests, benches or CI files', () => {
    expect(tarballs.map((t) => t.replace(/^.*\//, '')).sort()).to.deep.equal(['torch-ts-bert-0.2.0.tgz', 'torch-ts-torch-0.2.0.tgz', prebuiltName].sort());
    expect(prebuiltName).to.match(/^torch-ts-torch-linux-x64-gnu-torch2\.\d+-(cpu|cuda)-0\.2\.0\.tgz$/);
    for (const t of tarballs) {
      const files = ok(sh('tar', ['-tzf', t], root), `tar -tzf ${t}`).split('\n');
      expect(files, t).to.include('package/LICENSE');
      expect(
        files.filter((f) => /^package\/(test|bench|\.ci)\//.test(f)),
        t,
      ).to.deep.equal([]);
    }
  });

  it('installs the prebuilt binary package, not a source build', () => {
    const torchDir = join(project, 'node_modules', '@torch-ts', 'torch');
    expect(existsSync(join(torchDir, 'dist', 'index.js'))).to.equal(true);
    expect(existsSync(join(torchDir, 'dist', 'index.d.ts'))).to.equal(true);
    expect(existsSync(join(torchDir, 'build'))).to.equal(false);
    const scoped = readdirSync(join(project, 'node_modules', '@torch-ts'));
    expect(
      scoped.some((n) => /^torch-linux-x64-gnu-torch2\.\d+-(cpu|cuda)$/.test(n)),
      scoped.join(', '),
    ).to.equal(true);
  });

  it('a bare import type-checks under strict flags with skipLibCheck off, and misuse does not', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          noImplicitOverride: true,
          noPropertyAccessFromIndexSignature: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
        files: ['check.ts'],
      }),
    );
    writeFileSync(
      join(project, 'check.ts'),
      [
        "import * as torch from '@torch-ts/torch';",
        "import { DataLoader } from '@torch-ts/torch/utils/data';",
        'const t: torch.Tensor = torch.zeros([2, 3]).add(1);',
        'const m = new torch.nn.Linear(3, 4);',
        'const out: torch.Tensor = m.forward(t);',
        'const n: number = out.sum().item() as number;',
        'void n; void DataLoader;',
        '// @ts-expect-error: a string is not a shape',
        "torch.zeros('2');",
        '// @ts-expect-error: no such option',
        'new torch.optim.Adam(m.parameters(), { learningRate: 1 });',
        '',
      ].join('\n'),
    );
    ok(sh(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], project), 'tsc on the consumer');
  });

  for (const [kind, file, head] of [
    ['ESM with plain node', 'train.mjs', "import * as torch from '@torch-ts/torch';"],
    ['CommonJS through require', 'train.cjs', "const torch = require('@torch-ts/torch');"],
  ] as const) {
    it(`trains a small model: ${kind}, loading the prebuilt binary`, () => {
      writeFileSync(join(project, file), `${head}\n${TRAIN}`);
      const out = ok(sh(process.execPath, [file], project, USER_ENV), `node ${file}`);
      const r = trainReport(out);
      expect(r.last).to.be.below(r.first / 10);
      expect(r.addon.source).to.equal('prebuilt');
      expect(r.addon.path).to.contain(join('node_modules', '@torch-ts', 'torch-linux-x64-gnu-torch'));
    });
  }

  it('publint and @arethetypeswrong/cli report no errors on the tarballs', () => {
    for (const t of tarballs) {
      const lint = ok(sh(bin('publint'), ['run', t, '--level', 'warning'], root), `publint ${t}`);
      expect(lint, t).to.not.match(/error/i);
      if (t === join(root, 'dist', 'tarballs', prebuiltName)) continue; // no JS entry point to type
      ok(sh(bin('attw'), [t, '--profile', 'esm-only', '--format', 'ascii'], root), `attw ${t}`);
    }
  });

  it('the app runs from its installed form: torch-ts-bert pretrain on prepared data', () => {
    const help = ok(sh(join(project, 'node_modules', '.bin', 'torch-ts-bert'), ['pretrain', '--help'], project, USER_ENV), 'torch-ts-bert pretrain --help');
    expect(help).to.contain('--preset');
    // A small corpus (one sentence per line, a blank line between documents) keeps preparation quick.
    const words = ['the', 'jury', 'said', 'court', 'city', 'report', 'election', 'was', 'fair', 'new', 'county', 'state', 'law', 'year', 'people'];
    const docs = Array.from({ length: 60 }, (_, d) =>
      Array.from(
        { length: 6 },
        (_, s) => `${Array.from({ length: 8 + ((d + s) % 5) }, (_, w) => words[(d * 7 + s * 3 + w * 5) % words.length]).join(' ')} .`,
      ).join('\n'),
    );
    writeFileSync(join(project, 'corpus.txt'), `${docs.join('\n\n')}\n`);
    const run = ok(
      sh(
        join(project, 'node_modules', '.bin', 'torch-ts-bert'),
        [
          'pretrain',
          '--corpus',
          'corpus.txt',
          '--preset',
          'tiny',
          '--max-steps',
          '3',
          '--batch-size',
          '4',
          '--vocab-size',
          '200',
          '--out',
          join(project, 'run'),
        ],
        project,
        USER_ENV,
      ),
      'torch-ts-bert pretrain',
    );
    expect(run).to.match(/step|epoch/i);
    expect(existsSync(join(project, 'run'))).to.equal(true);
  });
});
