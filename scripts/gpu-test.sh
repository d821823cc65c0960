#!/usr/bin/env bash
# On a CUDA machine with Python PyTorch 2.x (and no Node.js): unpacks what
# scripts/gpu-pack.sh packed into .device/, builds the addon with CMake
# against PyTorch's own libtorch, and runs the GPU suite (`npm run test:gpu`),
# then the core suites that need no reference Python. Extra arguments go to mocha.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${TMPDIR:-/tmp}/torch-ts-gpu
mkdir -p "$work/bin"
if ! command -v node >/dev/null; then
  [ -x "$work/bin/node" ] || xz -dc .device/node.xz > "$work/bin/node"
  chmod +x "$work/bin/node"
  export PATH="$work/bin:$PATH"
fi
[ -d "$work/include/node" ] || { mkdir -p "$work/include"; tar -C "$work/include" -xJf .device/node-include.tar.xz; }
[ -d node_modules ] || tar -xJf .device/node_modules.tar.xz
[ -d .device/bert-data ] || [ ! -f .device/bert-data.tar.xz ] || tar -C .device -xJf .device/bert-data.tar.xz
PY=${PYTHON:-python3}
export LIBTORCH=${LIBTORCH:-$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')}
echo "gpu-test: node $(node --version), libtorch from $LIBTORCH ($("$PY" -c 'import torch; print(torch.__version__, torch.version.cuda)'))"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
gen=""
command -v ninja >/dev/null && gen="-G Ninja"
cmake -S . -B build $gen -DCMAKE_BUILD_TYPE=Release -DCMAKE_JS_INC="$work/include/node" \
  -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$PWD/build/Release" >build-gpu.log 2>&1 || { tail -60 build-gpu.log; exit 1; }
cmake --build build -j"$(nproc)" >>build-gpu.log 2>&1 || { tail -60 build-gpu.log; exit 1; }
version=$(node -p "require('./build/Release/torch_node.node').torchVersion" 2>/dev/null || echo unknown)
libdir=$("$PY" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
printf '{"prefix": "%s", "libdir": "%s", "version": "%s", "python": "%s"}\n' "$LIBTORCH" "$libdir" "${version:-unknown}" "$(command -v "$PY")" > build/libtorch-stamp.json
node -e "const t=require('./build/Release/torch_node.node'); console.log('addon libtorch', t.torchVersion)"
export TORCH_REF_PYTHON=$(command -v "$PY")
mocha="node node_modules/mocha/bin/mocha.js"
status=0
$mocha --config .mocharc.gpu.json 'test/gpu/**/*.test.ts' "$@" || status=1
# Suites that need no reference Python: every spec op exists in this libtorch,
# the README example, and .pt files holding CUDA tensors.
$mocha test/11-core-opspec.test.ts test/00-readme.test.ts || status=1
$mocha test/40-serialization-pt.test.ts --grep 'CUDA tensors' || status=1
exit $status
