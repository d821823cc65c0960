/**
 * The reference Python for tests and benchmarks: the interpreter whose torch
 * the addon was built against, recorded by scripts/setup.sh in
 * build/libtorch-stamp.json. TORCH_REF_PYTHON overrides it (for a libtorch
 * folder without a Python of its own, or a CUDA machine's interpreter).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const STAMP = fileURLToPath(new URL('../build/libtorch-stamp.json', import.meta.url));
/** The stamp of the current build, or undefined before the first build. */
export function libtorchStamp() {
  if (!existsSync(STAMP)) return undefined;
  return JSON.parse(readFileSync(STAMP, 'utf8'));
}
/**
 * The reference interpreter's path.
 * @throws Error when none is recorded or set, saying how to get one.
 */
export function referencePython() {
  const env = process.env.TORCH_REF_PYTHON;
  if (env) return env;
  const stamp = libtorchStamp();
  if (stamp?.python) return stamp.python;
  throw new Error(
    stamp
      ? `no reference Python: the addon was built against ${stamp.prefix}, which no Python's torch provides; set TORCH_REF_PYTHON to an interpreter with torch ${stamp.version}`
      : 'no reference Python: build the addon first (`bash scripts/setup.sh`), or set TORCH_REF_PYTHON',
  );
}
//# sourceMappingURL=reference-python.js.map
