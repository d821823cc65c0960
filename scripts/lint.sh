#!/usr/bin/env bash
# The style checks `npm test` runs: Biome (format and lint) over the TypeScript
# sources, clang-format over native/. `bash scripts/lint.sh --fix` rewrites
# the files instead of checking them.
set -euo pipefail
cd "$(dirname "$0")/.."
native=$(git ls-files 'native/*.cc' 'native/*.h' 2>/dev/null || find native -name '*.cc' -o -name '*.h')
if ! command -v clang-format >/dev/null; then
  echo "lint: clang-format is not installed (bash scripts/setup.sh --dev installs it with apt; elsewhere install clang-format 14 or newer)" >&2
  exit 1
fi
if [ "${1:-}" = --fix ]; then
  npx --no-install biome check --write .
  clang-format -i $native
else
  npx --no-install biome check .
  clang-format --dry-run --Werror $native
fi
