#!/usr/bin/env bash
# Installs what the project needs and builds the addon; quick and quiet when
# everything is already in place. Run by `npm test`, `npm run pretrain`, ...
#
#   bash scripts/setup.sh                # idempotent setup
#   bash scripts/setup.sh --force-build  # rebuild the addon
#   LIBTORCH=/path/to/libtorch bash scripts/setup.sh   # build against another libtorch
set -euo pipefail
cd "$(dirname "$0")/.."

force_build=0
for arg in "$@"; do
  case "$arg" in
    --force-build) force_build=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

# 1. System packages (Debian). Skipped when LIBTORCH points elsewhere (CUDA machines).
apt_pkgs=(cmake g++ make python3 libopenblas0-pthread python3-torch python3-pandas)
[ -z "${LIBTORCH:-}" ] && apt_pkgs+=(libtorch-dev)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "setup.sh: missing packages ${missing[*]} and no apt-get to install them" >&2; exit 1
  fi
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]} (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. npm packages, when package-lock.json changed since the last install.
lock_hash=$(sha1sum package.json package-lock.json | sha1sum | cut -c1-40)
if [ ! -f node_modules/.setup-stamp ] || [ "$(cat node_modules/.setup-stamp)" != "$lock_hash" ]; then
  echo "setup: installing npm packages"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.setup-stamp
fi

# 3. The addon, when its sources or the chosen libtorch changed.
src_hash=$( (cat CMakeLists.txt native/*.cc native/*.h; echo "LIBTORCH=${LIBTORCH:-}") | sha1sum | cut -c1-40)
if [ "$force_build" = 1 ] || [ ! -f build/Release/torch_node.node ] || [ ! -f build/.src-stamp ] || [ "$(cat build/.src-stamp)" != "$src_hash" ]; then
  echo "setup: building the native addon (cmake-js)"
  npx --no-install cmake-js compile --log-level warn >build.log 2>&1 || { tail -40 build.log >&2; echo "setup.sh: addon build failed (full log: build.log)" >&2; exit 1; }
  version=$(node -p "require('./build/Release/torch_node.node').torchVersion" 2>/dev/null || echo unknown)
  printf '{"libtorch": "%s", "version": "%s"}\n' "${LIBTORCH:-}" "${version:-unknown}" > build/libtorch-stamp.json
  echo "$src_hash" > build/.src-stamp
  rm -f build.log
fi
