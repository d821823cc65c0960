// Prints libtorch's include folders, library folder or extra link inputs for
// binding.gyp (node-gyp). Where libtorch is: LIBTORCH (a libtorch folder or
// CMake prefix), else the PyTorch that PYTHON (default python3) imports, else
// what scripts/setup.sh found (build/libtorch-stamp.json).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

function fromPython() {
  const r = spawnSync(process.env.PYTHON || 'python3', ['-c', 'import torch.utils; print(torch.utils.cmake_prefix_path)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

function fromStamp() {
  const stamp = path.join(__dirname, '..', 'build', 'libtorch-stamp.json');
  return fs.existsSync(stamp) ? JSON.parse(fs.readFileSync(stamp, 'utf8')).prefix : '';
}

const start = process.env.LIBTORCH || fromPython() || fromStamp();
if (!start) {
  console.error('torch-paths: no libtorch found: set LIBTORCH, or install PyTorch 2.4+ for python3 (pip install torch)');
  process.exit(1);
}
// The libtorch root holds include/ATen: the prefix itself or up to three levels above it.
let root = path.resolve(start);
for (let i = 0; i < 3 && !fs.existsSync(path.join(root, 'include', 'ATen', 'ATen.h')); i++) root = path.dirname(root);
if (!fs.existsSync(path.join(root, 'include', 'ATen', 'ATen.h'))) {
  console.error(`torch-paths: no include/ATen/ATen.h in or above ${start}`);
  process.exit(1);
}
const lib = path.join(root, 'lib');
const what = process.argv[2];
if (what === 'include') {
  console.log([path.join(root, 'include'), path.join(root, 'include', 'torch', 'csrc', 'api', 'include')].join(' '));
} else if (what === 'lib') {
  console.log(lib);
} else if (what === 'omp') {
  // PyTorch wheels carry their libgomp beside libtorch: link that one (the rpath finds it first).
  const gomp = path.join(lib, 'libgomp.so.1');
  console.log(fs.existsSync(gomp) ? gomp : '-lgomp');
} else {
  console.error('usage: node scripts/torch-paths.cjs include|lib|omp');
  process.exit(2);
}
