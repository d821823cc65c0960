#!/usr/bin/env bash
# Installs what the project needs and builds the addon; quick and quiet when
# everything is already in place. Run by `npm test`, `npm run pretrain`, ...
#
#   bash scripts/setup.sh                # idempotent setup
#   bash scripts/setup.sh --force-build  # rebuild the addon
#   bash scripts/setup.sh --dev          # also the tools `npm test` runs (clang-format)
#
# Where libtorch comes from, first match wins:
#   1. LIBTORCH: a libtorch folder or CMake prefix (TORCH_REF_PYTHON then names
#      the Python whose torch is the same, for tests; found by itself when it
#      is this project's .venv or the PYTHON below);
#   2. the PyTorch that PYTHON (default python3) imports, if it is 2.4 or newer;
#   3. the project's own virtual environment .venv (created here, with
#      `pip install torch numpy pandas transformers safetensors` into it).
# transformers and safetensors (the Hugging Face tests' reference) are added to
# the reference Python's virtual environment when missing (scripts/py-packages.sh).
# What was found is kept in build/torch.env and build/libtorch-stamp.json.
set -euo pipefail
cd "$(dirname "$0")/.."

MIN_TORCH=2.4
force_build=0
dev=0
for arg in "$@"; do
  case "$arg" in
    --force-build) force_build=1 ;;
    --dev) dev=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_updated=0
# apt_install PKG...: installs Debian packages, or says what to install where there is no apt.
apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "setup.sh: $* needed and there is no apt-get to install them: install them with your system's package manager" >&2
    exit 1
  fi
  echo "setup: installing $* (apt)"
  [ "$apt_updated" = 1 ] || { $SUDO apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 1. Build tools.
missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v g++ >/dev/null || missing+=(g++)
command -v make >/dev/null || missing+=(make)
command -v python3 >/dev/null || missing+=(python3)
# The C++ formatter `npm run lint` checks native/ with (Debian 12 has version 14).
[ "$dev" = 0 ] || command -v clang-format >/dev/null || missing+=(clang-format)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# 2. PyTorch (cached in build/torch.env; found again when LIBTORCH or PYTHON change).
PY=${PYTHON:-python3}
key="LIBTORCH=${LIBTORCH:-} PYTHON=$PY TORCH_REF_PYTHON=${TORCH_REF_PYTHON:-}"
TN_KEY="" TN_PREFIX="" TN_LIBDIR="" TN_VERSION="" TN_PYTHON="" TN_VERSION_FULL="" TN_VERSION_FILE=""
[ -f build/torch.env ] && . build/torch.env
# version_of FILE: the __version__ in a torch/version.py ('' when absent).
version_of() { [ -f "$1" ] && sed -n "s/^__version__ *= *['\"]\([^'\"]*\)['\"].*/\1/p" "$1" | head -1 || true; }
if [ "$TN_KEY" != "$key" ] || [ ! -d "$TN_LIBDIR" ] || { [ -n "$TN_VERSION_FILE" ] && [ "$(version_of "$TN_VERSION_FILE")" != "$TN_VERSION_FULL" ]; }; then
  # torch_info PYTHON: "version<TAB>cmake prefix" of the torch it imports, or nothing.
  torch_info() { "$1" -c 'import torch, torch.utils; print(torch.__version__ + "\t" + torch.utils.cmake_prefix_path)' 2>/dev/null || true; }
  # abs_cmd CMD: the absolute path of a command (symlinks kept: a venv's python is one).
  abs_cmd() { case "$1" in */*) echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")" ;; *) command -v "$1" ;; esac; }
  # at_least VERSION: true when VERSION >= MIN_TORCH.
  at_least() { [ "$(printf '%s\n%s\n' "$MIN_TORCH" "${1%%+*}" | sort -V | head -1)" = "$MIN_TORCH" ]; }
  prefix="" python="" version=""
  if [ -n "${LIBTORCH:-}" ]; then
    prefix=$LIBTORCH
    cfg=$(find "$prefix" -maxdepth 4 -name TorchConfigVersion.cmake 2>/dev/null | head -1)
    [ -n "$cfg" ] || { echo "setup.sh: LIBTORCH=$prefix holds no TorchConfigVersion.cmake: point it at a libtorch folder or at torch.utils.cmake_prefix_path" >&2; exit 1; }
    version=$(sed -n 's/^set(PACKAGE_VERSION "\([^"]*\)").*/\1/p' "$cfg")
    python=${TORCH_REF_PYTHON:-}
    if [ -z "$python" ]; then
      for cand in "$PY" .venv/bin/python; do
        info=$(torch_info "$cand")
        if [ -n "$info" ] && [ "$(realpath -m "${info#*$'\t'}")" = "$(realpath -m "$prefix")" ]; then python=$(abs_cmd "$cand"); break; fi
      done
    fi
  else
    for cand in "$PY" .venv/bin/python; do
      command -v "$cand" >/dev/null || [ -x "$cand" ] || continue
      info=$(torch_info "$cand")
      [ -n "$info" ] || continue
      if at_least "${info%%$'\t'*}"; then
        python=$(abs_cmd "$cand"); version=${info%%$'\t'*}; prefix=${info#*$'\t'}; break
      fi
      echo "setup: $cand has PyTorch ${info%%$'\t'*}, older than $MIN_TORCH: using the project's .venv instead"
    done
    if [ -z "$prefix" ]; then
      if [ ! -x .venv/bin/python ]; then
        echo "setup: creating .venv (Python virtual environment for PyTorch)"
        python3 -m venv .venv 2>/dev/null || { rm -rf .venv; apt_install python3-venv; python3 -m venv .venv; }
      fi
      echo "setup: installing PyTorch into .venv (pip install torch numpy pandas transformers safetensors; a few minutes the first time)"
      # --retries 0: an index this machine cannot reach fails at once instead of after minutes of retries.
      .venv/bin/pip install --quiet --disable-pip-version-check --retries 0 --timeout 15 torch numpy pandas transformers safetensors >build-pip.log 2>&1 ||
        { tail -20 build-pip.log >&2; echo "setup.sh: pip could not install torch into .venv (log: build-pip.log); install PyTorch $MIN_TORCH+ yourself (PYTHON=/path/to/python) or set LIBTORCH" >&2; exit 1; }
      rm -f build-pip.log
      echo "safetensors transformers" > .venv/.torch-ts-bert-packages
      info=$(torch_info .venv/bin/python)
      python=$PWD/.venv/bin/python; version=${info%%$'\t'*}; prefix=${info#*$'\t'}
    fi
  fi
  if ! at_least "$version"; then
    echo "setup.sh: PyTorch ${version:-of unknown version} at $prefix is older than $MIN_TORCH, the oldest this project supports;" \
      "install a newer one (pip install 'torch>=$MIN_TORCH') or point LIBTORCH at a libtorch $MIN_TORCH+ folder" >&2
    exit 1
  fi
  libdir=$(realpath -m "$(dirname "$(find "$prefix/" "$prefix/../.." -maxdepth 3 -name 'libtorch_cpu.*' 2>/dev/null | head -1)")")
  [ -d "$libdir" ] || { echo "setup.sh: no libtorch_cpu library found around $prefix" >&2; exit 1; }
  vfile=""
  [ -f "$libdir/../version.py" ] && vfile=$(realpath "$libdir/../version.py")
  mkdir -p build
  {
    printf 'TN_KEY=%q\nTN_PREFIX=%q\nTN_LIBDIR=%q\nTN_VERSION=%q\nTN_PYTHON=%q\n' "$key" "$prefix" "$libdir" "${version%%+*}" "$python"
    printf 'TN_VERSION_FULL=%q\nTN_VERSION_FILE=%q\n' "$(version_of "$vfile")" "$vfile"
  } > build/torch.env
  . build/torch.env
  echo "setup: libtorch $version from $prefix${python:+ (reference Python $python)}"
fi

# 2b. The Python packages the tests compare with (transformers, safetensors), in the reference
#     Python's virtual environment when it has one; a stamp there makes this a file read.
[ -z "$TN_PYTHON" ] || bash scripts/py-packages.sh "$TN_PYTHON"

# 3. npm packages, when package.json or the lockfile changed since the last install.
lock_files=(package.json)
[ -f package-lock.json ] && lock_files+=(package-lock.json)
lock_hash=$(cat "${lock_files[@]}" | sha1sum | cut -c1-40)
if [ ! -f node_modules/.setup-stamp ] || [ "$(cat node_modules/.setup-stamp)" != "$lock_hash" ]; then
  echo "setup: installing npm packages"
  if [ -f package-lock.json ]; then
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  else
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error
  fi
  echo "$lock_hash" > node_modules/.setup-stamp
fi

# 4. The addon, when its sources or the chosen libtorch changed.
src_hash=$( (cat CMakeLists.txt $(find native -type f | LC_ALL=C sort); echo "$TN_PREFIX $TN_VERSION") | sha1sum | cut -c1-40)
if [ "$force_build" = 1 ] || [ ! -f build/Release/torch_node.node ] || [ ! -f build/.src-stamp ] || [ "$(cat build/.src-stamp)" != "$src_hash" ]; then
  echo "setup: building the native addon against libtorch $TN_VERSION (cmake-js; a few minutes)"
  # CMake caches where it found Torch: start over when the libtorch changed.
  [ "$(cat build/.prefix-stamp 2>/dev/null)" = "$TN_PREFIX" ] || rm -rf build/CMakeCache.txt build/CMakeFiles
  LIBTORCH=$TN_PREFIX npx --no-install cmake-js compile --log-level warn >build.log 2>&1 || { tail -40 build.log >&2; echo "setup.sh: addon build failed (full log: build.log)" >&2; exit 1; }
  echo "$src_hash" > build/.src-stamp
  echo "$TN_PREFIX" > build/.prefix-stamp
  rm -f build.log
fi
# The stamp the loader, tests and benches read (rewritten when the reference Python changes).
stamp=$(printf '{"prefix": "%s", "libdir": "%s", "version": "%s", "python": "%s"}' "$TN_PREFIX" "$TN_LIBDIR" "$TN_VERSION" "$TN_PYTHON")
[ -f build/libtorch-stamp.json ] && [ "$(cat build/libtorch-stamp.json)" = "$stamp" ] || echo "$stamp" > build/libtorch-stamp.json
