/**
 * Builds the packages this repository publishes into dist/ and packs them
 * (npm pack) into dist/tarballs/:
 *
 * - @torch-ts/torch: the torch library (lib/torch compiled to ESM + .d.ts),
 *   the native sources and build files for a source build, and the
 *   `torch-ts build` command; prebuilt binaries as optional dependencies;
 * - @torch-ts/bert: the BERT course app (lib/bert compiled; the
 *   `torch-ts-bert` command), depending on @torch-ts/torch;
 * - with --prebuilt: @torch-ts/torch-<platform>-torch<X.Y>-<cpu|cuda>, this
 *   machine's addon relinked portable (no absolute rpath) from the build
 *   setup.sh made against the libtorch it found, with its preloader.
 *
 *   npx tsx scripts/pack.ts [--prebuilt]
 *
 * The layout of the repository stays as it is: packages are staged from it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { libtorchStamp } from './reference-python.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tarballs = join(dist, 'tarballs');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const VERSION = rootPkg.version;
const SCOPE = '@torch-ts';
const REPOSITORY = { type: 'git', url: 'git+https://github.com/torch-ts/torch-ts.git' };
/** Node 20.19 loads ESM through require() (CommonJS users), and has zlib.crc32. */
const ENGINES = { node: '>=20.19.0' };

function run(cmd: string, args: string[], cwd = root, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Every file under `dir` (relative paths). */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p, base) : [relative(base, p)];
  });
}

/** The prebuilt package name for a platform and libtorch line. */
export function prebuiltName(platform: string, arch: string, libtorch: string, variant: string): string {
  const libc = platform === 'linux' ? '-gnu' : '';
  return `${SCOPE}/torch-${platform}-${arch}${libc}-torch${libtorch}-${variant}`;
}

/** The libtorch lines and variants prebuilt packages exist for (what the torch package lists). */
const PREBUILT_LINES: { platform: string; arch: string; libtorch: string; variant: string }[] = [
  { platform: 'linux', arch: 'x64', libtorch: '2.13', variant: 'cpu' },
];

function packTorch(): string {
  const out = join(dist, 'torch');
  run('npx', ['--no-install', 'tsc', '-p', 'packaging/tsconfig.torch.json']);
  // Subpath exports: the library's index files (nn, optim, utils/data, ...).
  const exportsMap: Record<string, unknown> = {};
  for (const f of walk(join(out, 'dist'))
    .filter((f) => f.endsWith('index.js'))
    .sort()) {
    const sub = dirname(f) === '.' ? '.' : `./${dirname(f)}`;
    exportsMap[sub] = { types: `./dist/${f.replace(/\.js$/, '.d.ts')}`, default: `./dist/${f}` };
  }
  exportsMap['./package.json'] = './package.json';
  cpSync(join(root, 'native'), join(out, 'native'), { recursive: true });
  // CMake is the source build's tool (no binding.gyp: npm would run node-gyp on install when a package has one).
  for (const f of ['CMakeLists.txt', 'LICENSE', 'CHANGELOG.md']) cpSync(join(root, f), join(out, f));
  cpSync(join(root, 'packaging', 'torch', 'bin'), join(out, 'bin'), { recursive: true });
  cpSync(join(root, 'packaging', 'torch', 'README.md'), join(out, 'README.md'));
  const pkg = {
    name: `${SCOPE}/torch`,
    version: VERSION,
    description:
      'PyTorch for TypeScript: libtorch tensors, autograd, nn, optim, data loading, distributed training and .pt checkpoints, through a native addon',
    license: 'BSD-3-Clause',
    repository: REPOSITORY,
    keywords: ['pytorch', 'libtorch', 'tensor', 'deep-learning', 'autograd', 'neural-network'],
    type: 'module',
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports: exportsMap,
    bin: { 'torch-ts': './bin/torch-ts.mjs' },
    files: ['dist', 'native', 'bin', 'CMakeLists.txt', 'CHANGELOG.md'],
    engines: ENGINES,
    dependencies: {
      // Headers only, for `torch-ts build` (a source build): no build tool is installed with the package.
      'node-addon-api': rootPkg.dependencies['node-addon-api'],
      'node-api-headers': '^1.4.0',
    },
    optionalDependencies: Object.fromEntries(PREBUILT_LINES.map((l) => [prebuiltName(l.platform, l.arch, l.libtorch, l.variant), VERSION])),
    sideEffects: true,
  };
  write(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return out;
}

function packBert(): string {
  const out = join(dist, 'bert');
  const build = join(dist, 'bert-build');
  run('npx', ['--no-install', 'tsc', '-p', 'packaging/tsconfig.bert.json']);
  // lib/bert imports the library by relative path; the package imports it by name.
  for (const f of walk(join(build, 'bert'))) {
    if (!/\.(js|d\.ts)$/.test(f)) continue;
    const src = join(build, 'bert', f);
    const text = readFileSync(src, 'utf8').replace(
      /(['"])(?:\.\.\/)+torch\/((?:[\w-]+\/)*)index\.js\1/g,
      (_m, q: string, sub: string) => `${q}${SCOPE}/torch${sub === '' ? '' : `/${sub.replace(/\/$/, '')}`}${q}`,
    );
    if (/(['"])(\.\.\/)+torch\//.test(text)) throw new Error(`${f} imports lib/torch past its index files; import from an index`);
    write(join(out, 'dist', 'bert', f), text);
  }
  cpSync(join(root, 'packaging', 'bert', 'bin'), join(out, 'bin'), { recursive: true });
  cpSync(join(root, 'packaging', 'bert', 'README.md'), join(out, 'README.md'));
  for (const f of ['LICENSE', 'CHANGELOG.md']) cpSync(join(root, f), join(out, f));
  const deps = { ...rootPkg.dependencies };
  delete deps['cmake-js'];
  delete deps['node-addon-api'];
  const pkg = {
    name: `${SCOPE}/bert`,
    version: VERSION,
    description: "The PyTorch course's BERT pretraining in TypeScript: corpus to WordPiece vocabulary, the course's CSV, dataset, model, training, prediction",
    license: 'BSD-3-Clause',
    repository: REPOSITORY,
    keywords: ['bert', 'pretraining', 'pytorch', 'libtorch', 'nlp'],
    type: 'module',
    exports: { '.': { types: './dist/bert/index.d.ts', default: './dist/bert/index.js' }, './package.json': './package.json' },
    bin: { 'torch-ts-bert': './bin/torch-ts-bert.mjs' },
    files: ['dist', 'bin', 'CHANGELOG.md'],
    engines: ENGINES,
    dependencies: { ...deps, [`${SCOPE}/torch`]: VERSION },
  };
  if (!existsSync(join(build, 'bert', 'index.js'))) throw new Error('lib/bert/index.ts is missing: the app package exports it');
  write(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return out;
}

function packPrebuilt(): string {
  const stamp = libtorchStamp();
  if (stamp === undefined) throw new Error('no build/libtorch-stamp.json: run `bash scripts/setup.sh` first');
  const line = stamp.version.split('.').slice(0, 2).join('.');
  const variant = existsSync(join(stamp.libdir, 'libtorch_cuda.so')) ? 'cuda' : 'cpu';
  const name = prebuiltName(process.platform, process.arch, line, variant);
  // The build setup.sh configured: relink its objects without an rpath.
  run('cmake', ['--build', join(root, 'build'), '--target', 'torch_node_portable', 'torch_node_preload']);
  const out = join(dist, name.replace(`${SCOPE}/`, ''));
  cpSync(join(root, 'build', 'Release', 'torch_node_portable.node'), join(out, 'torch_node.node'));
  cpSync(join(root, 'build', 'Release', 'torch_node_preload.node'), join(out, 'torch_node_preload.node'));
  const rpath = run('readelf', ['-d', join(out, 'torch_node.node')]);
  if (/RUNPATH|RPATH/.test(rpath)) throw new Error('the portable build still has an rpath');
  cpSync(join(root, 'LICENSE'), join(out, 'LICENSE'));
  write(
    join(out, 'README.md'),
    `# ${name}\n\nThe prebuilt native addon of ${SCOPE}/torch for ${process.platform}-${process.arch} and libtorch ${line} (${variant}). Installed by ${SCOPE}/torch as an optional dependency; it loads the libtorch of the PyTorch ${line} it finds at run time (LIBTORCH, else python3's torch).\n`,
  );
  const pkg = {
    name,
    version: VERSION,
    description: `Prebuilt native addon of ${SCOPE}/torch for ${process.platform}-${process.arch}, libtorch ${line} (${variant})`,
    license: 'BSD-3-Clause',
    repository: REPOSITORY,
    os: [process.platform],
    cpu: [process.arch],
    ...(process.platform === 'linux' ? { libc: ['glibc'] } : {}),
    files: ['torch_node.node', 'torch_node_preload.node'],
    torchNode: { libtorch: line, variant, addon: 'torch_node.node', preload: 'torch_node_preload.node' },
  };
  write(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return out;
}

function main(): void {
  const prebuilt = process.argv.includes('--prebuilt');
  const unknown = process.argv.slice(2).filter((a) => a !== '--prebuilt');
  if (unknown.length > 0) {
    console.error(`pack: unknown option ${unknown[0]}; usage: npx tsx scripts/pack.ts [--prebuilt]`);
    process.exit(2);
  }
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(tarballs, { recursive: true });
  const dirs = [packTorch(), packBert(), ...(prebuilt ? [packPrebuilt()] : [])];
  for (const d of dirs) {
    const file = run('npm', ['pack', '--silent', '--pack-destination', tarballs], d).trim().split('\n').pop() as string;
    console.log(`packed ${relative(root, join(tarballs, file))}`);
  }
}

main();
