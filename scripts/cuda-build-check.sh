#!/usr/bin/env bash
# The CUDA build keeps compiling on machines without a GPU: installs the CUDA
# PyTorch wheel into its own virtual environment (.venv-cuda), builds the
# addon against it into build-cuda/ (nvcc and CUDA's CMake support must be
# present: the CUDA toolkit), then runs the CPU suite with that build and that
# Python as the reference. CUDA's libraries load without a GPU;
# torch.cuda.isAvailable() is false.
#
#   bash scripts/cuda-build-check.sh                    # torch 2.14.1 (CUDA 13)
#   CUDA_TORCH='torch==2.14.1' bash scripts/cuda-build-check.sh [mocha args]
#
# Not part of `npm test` (the wheel and its NVIDIA libraries are several GB).
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${CUDA_TORCH:-torch==2.14.1}
bash scripts/setup.sh >/dev/null   # npm packages and the CPU build's tools

command -v nvcc >/dev/null || { echo "cuda-build-check: nvcc not found: install the CUDA toolkit (nvcc) first" >&2; exit 1; }
# The toolkit's root (nvcc on PATH may be a wrapper script): CUDA_HOME, else /usr/local/cuda, else nvcc's folder.
cuda_root=${CUDA_HOME:-${CUDA_PATH:-}}
if [ -z "$cuda_root" ]; then
  for c in /usr/local/cuda "$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")"; do
    [ -f "$c/include/cuda_runtime.h" ] && { cuda_root=$c; break; }
  done
fi
[ -n "$cuda_root" ] || { echo "cuda-build-check: no CUDA toolkit with include/cuda_runtime.h found: set CUDA_HOME" >&2; exit 1; }
# pip: fail fast on an index this machine cannot reach; use what the configured stores hold.
pip_args=(--quiet --disable-pip-version-check --retries 0 --timeout 10)
if [ ! -x .venv-cuda/bin/python ] || ! .venv-cuda/bin/python -c "import torch, sys; sys.exit(0 if torch.version.cuda else 1)" 2>/dev/null; then
  echo "cuda-build-check: installing $spec into .venv-cuda"
  python3 -m venv .venv-cuda
  # The wheel's optional Python CUDA bindings are not needed to build or run libtorch: install
  # the wheel without dependency resolution, then every dependency the stores hold.
  .venv-cuda/bin/pip install "${pip_args[@]}" --no-deps "$spec"
  deps=$(.venv-cuda/bin/python - <<'EOF'
import importlib.metadata as md, re
out = []
for r in md.requires('torch') or []:
    if 'extra ==' in r or r.startswith('cuda-bindings') or r.startswith('triton'):
        continue
    out.append(r.split(';')[0].strip().replace(' ', ''))
print('\n'.join(out))
EOF
)
  mapfile -t deps_arr <<<"$deps"
  .venv-cuda/bin/pip install "${pip_args[@]}" "${deps_arr[@]}" numpy pandas
fi
PY=$PWD/.venv-cuda/bin/python
prefix=$("$PY" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')
libdir=$("$PY" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
echo "cuda-build-check: $("$PY" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "cuda available:", torch.cuda.is_available())')"

# Build into build-cuda/ (the CPU build in build/ stays).
echo "cuda-build-check: building the addon against it with the CUDA toolkit in $cuda_root (build-cuda/, a few minutes)"
# Libraries a compiler-only toolkit lacks come from the wheel's NVIDIA packages (nvidia/cu13/lib).
extra=()
nvrtc=$(ls "$cuda_root"/lib*/libnvrtc.so* 2>/dev/null | head -1 || true)
[ -n "$nvrtc" ] || nvrtc=$("$PY" -c 'import glob, os, nvidia; print((sorted(glob.glob(os.path.join(list(nvidia.__path__)[0], "*", "lib", "libnvrtc.so.*"))) or [""])[0])' 2>/dev/null || true)
[ -n "$nvrtc" ] && extra+=(--CDCUDA_nvrtc_LIBRARY="$nvrtc")
LIBTORCH=$prefix npx --no-install cmake-js compile --out build-cuda --log-level warn \
  --CDCUDA_TOOLKIT_ROOT_DIR="$cuda_root" --CDCUDAToolkit_ROOT="$cuda_root" --CDCMAKE_CUDA_COMPILER="$cuda_root/bin/nvcc" "${extra[@]}" >build-cuda.log 2>&1 ||
  { tail -40 build-cuda.log >&2; echo "cuda-build-check: build failed (full log: build-cuda.log)" >&2; exit 1; }
version=$(node -p "require('./build-cuda/Release/torch_node.node').torchVersion")
printf '{"prefix": "%s", "libdir": "%s", "version": "%s", "python": "%s"}\n' "$prefix" "$libdir" "$version" "$PY" > build-cuda/libtorch-stamp.json
node -e "
const a = require('./build-cuda/Release/torch_node.node');
console.log('cuda-build-check: addon libtorch', a.torchVersion, '| built with CUDA:', a.builtWithCuda(), '| CUDA available:', a.cudaIsAvailable(), '| devices:', a.cudaDeviceCount());
"
readelf -d build-cuda/Release/torch_node.node | grep -E 'NEEDED.*(torch_cuda|c10_cuda)' || { echo "cuda-build-check: libtorch_cuda was dropped at link time" >&2; exit 1; }

# The CPU suite with this build and this Python as the reference.
export TORCH_NODE_ADDON=$PWD/build-cuda/Release/torch_node.node TORCH_NODE_NO_DEFAULT_PATHS=1 TORCH_REF_PYTHON=$PY
if [ $# -eq 0 ]; then
  set -- 'test/1*.test.ts' 'test/2*.test.ts' 'test/3*.test.ts' 'test/4*.test.ts' 'test/5*.test.ts' test/60-*.test.ts test/61-*.test.ts
fi
npx --no-install mocha "$@"
