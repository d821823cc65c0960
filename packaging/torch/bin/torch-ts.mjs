#!/usr/bin/env node
// torch-ts build: compiles the native addon inside the installed package
// against the libtorch found now (LIBTORCH, else the PyTorch that PYTHON or
// python3 imports), with CMake and a C++ compiler; no apt, no sudo, no
// lockfile. The loader then prefers this build over prebuilt binaries.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const [cmd, ...rest] = process.argv.slice(2);

function fail(msg) {
  console.error(`torch-ts: ${msg}`);
  process.exit(1);
}

function have(tool, args = ['--version']) {
  const r = spawnSync(tool, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

if (cmd !== 'build' || rest.some((a) => a !== '--verbose')) {
  console.error(
    'usage: npx @torch-ts/torch build [--verbose]\n\nCompiles the native addon against the libtorch found now:\n  LIBTORCH (a libtorch folder or CMake prefix), else the PyTorch that PYTHON (default python3) imports.',
  );
  process.exit(cmd === undefined || cmd === '--help' || cmd === '-h' ? 0 : 2);
}
const verbose = rest.includes('--verbose');
if (!have('cmake')) fail('cmake not found: install CMake 3.18+ (Debian/Ubuntu: apt install cmake; macOS: brew install cmake; or pip install cmake)');
const cxx = process.env.CXX ?? 'c++';
if (!have(cxx)) fail(`no C++ compiler (${cxx}) found: install g++ 11+ or clang (Debian/Ubuntu: apt install g++; macOS: xcode-select --install)`);

let prefix = process.env.LIBTORCH ?? '';
if (prefix === '') {
  const python = process.env.PYTHON ?? 'python3';
  const r = spawnSync(python, ['-c', 'import torch, torch.utils; print(torch.__version__); print(torch.utils.cmake_prefix_path)'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    fail(
      `no libtorch: set LIBTORCH to a libtorch folder, or install PyTorch 2.4+ for ${python} (pip install torch)` +
        (r.stderr ? `\n${r.stderr.trim().split('\n').pop()}` : ''),
    );
  }
  const [version, p] = r.stdout.trim().split('\n');
  prefix = p;
  console.log(`torch-ts: building against PyTorch ${version} (${prefix})`);
} else {
  console.log(`torch-ts: building against LIBTORCH=${prefix}`);
}
const napiInclude = join(dirname(require.resolve('node-api-headers/package.json')), 'include');
const build = join(root, 'build');
mkdirSync(build, { recursive: true });
const run = (args) => {
  const r = spawnSync('cmake', args, { cwd: root, stdio: verbose ? 'inherit' : 'pipe', encoding: 'utf8', env: { ...process.env, LIBTORCH: prefix } });
  if (r.status !== 0) {
    if (!verbose) console.error(`${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-40).join('\n'));
    fail(`cmake ${args[0]} failed`);
  }
};
run([
  '-S',
  root,
  '-B',
  build,
  '-DCMAKE_BUILD_TYPE=Release',
  `-DCMAKE_JS_INC=${napiInclude}`,
  `-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${join(build, 'Release')}`,
  `-DCMAKE_PREFIX_PATH=${prefix}`,
]);
run(['--build', build, '--config', 'Release', '-j', String(Math.max(1, (await import('node:os')).availableParallelism()))]);
const addon = join(build, 'Release', 'torch_node.node');
if (!existsSync(addon)) fail(`the build produced no ${addon}`);
const version = require(addon).torchVersion;
const libdirProbe = spawnSync(process.env.PYTHON ?? 'python3', ['-c', 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))'], {
  encoding: 'utf8',
});
const libdir = process.env.LIBTORCH ? join(prefix, 'lib') : libdirProbe.stdout.trim();
writeFileSync(join(build, 'libtorch-stamp.json'), `${JSON.stringify({ prefix, libdir, version, python: '' })}\n`);
console.log(`torch-ts: built ${addon} (libtorch ${version})`);
