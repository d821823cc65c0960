/**
 * Finds and loads the native addon. In order:
 *
 * 1. `TORCH_NODE_ADDON` (a path to a torch_node.node);
 * 2. a source build in the package (`build/Release/torch_node.node`, made by
 *    `npm run build` in this repository or `npx @torch-ts/torch build` in an
 *    installed package), which finds libtorch through the path it was built with;
 * 3. a prebuilt binary package (`@torch-ts/torch-<platform>-torch<X.Y>-<cpu|cuda>`,
 *    an optional dependency), for the libtorch found now: `LIBTORCH`, else the
 *    PyTorch that `PYTHON` (default python3) would import. Its libraries are
 *    loaded first, then the addon, which names them by soname only.
 *
 * When everything fails, the error lists every place tried and what to do.
 */
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the loader needs of an addon before handing it out. */
interface LoadableAddon {
  init(errorClass: new (message: string) => Error): void;
  torchVersion: string;
}

/** What a build records about the libtorch it links (build/libtorch-stamp.json). */
interface LibtorchStamp {
  prefix?: string;
  libdir?: string;
  version?: string;
}

/** The `torchNode` field of a prebuilt package's package.json. */
interface PrebuiltInfo {
  /** libtorch major.minor the binary was built against, e.g. "2.13". */
  libtorch: string;
  /** 'cpu' or 'cuda'. */
  variant: string;
  /** File names inside the package. */
  addon: string;
  preload: string;
}

/** Where the loaded addon came from (see {@link loadAddon}). */
export interface AddonInfo {
  /** The addon file. */
  path: string;
  /** 'env' (TORCH_NODE_ADDON), 'build' (a source build in the package) or 'prebuilt' (a binary package). */
  source: 'env' | 'build' | 'prebuilt';
  /** For prebuilt binaries: the libtorch folder loaded, and how it was found. */
  libdir?: string;
  libdirFrom?: string;
}

/** Set by {@link loadAddon}. */
export let addonInfo: AddonInfo | undefined;

const here = dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);

/** The package root: the nearest folder above this module holding CMakeLists.txt (the repository or the installed package). */
function packageRoot(): string {
  let dir = here;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'CMakeLists.txt')) && existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return resolve(here, '..', '..');
}

/** The stamp beside a build's output folder (build/libtorch-stamp.json for build/Release/x.node), if any. */
function stampOf(addonPath: string): LibtorchStamp | undefined {
  const stampPath = join(dirname(addonPath), '..', 'libtorch-stamp.json');
  if (!existsSync(stampPath)) return undefined;
  return JSON.parse(readFileSync(stampPath, 'utf8')) as LibtorchStamp;
}

/**
 * The version of the libtorch in `libdir`, read from the Python package around
 * it (torch/version.py) or a libtorch folder's build-version file; undefined
 * when neither is there.
 */
export function installedVersion(libdir: string): string | undefined {
  for (const f of [join(libdir, '..', 'version.py'), join(libdir, '..', 'build-version')]) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, 'utf8');
    const m = /__version__\s*=\s*['"]([^'"]+)['"]/.exec(text) ?? /^\s*(\d+\.\d+\.\d+\S*)/.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Checks that the libtorch a source build was built against is still what its
 * library folder holds (a `pip install -U torch` changes it under the build).
 * @throws Error naming both versions and how to rebuild.
 */
function checkStamp(addon: LoadableAddon, addonPath: string): void {
  const stamp = stampOf(addonPath);
  if (stamp === undefined) return;
  const built = addon.torchVersion;
  const now = stamp.libdir ? installedVersion(stamp.libdir) : undefined;
  if (now !== undefined && now.split('+')[0] !== built) {
    throw new Error(`the addon was built against libtorch ${built}, but ${stamp.libdir} now holds ${now}; rebuild with \`npm run build\``);
  }
}

/** Makes a failed dlopen of a source build say which libtorch it expected and how to fix it. */
function explainLoadFailure(message: string, addonPath: string): string {
  const stamp = stampOf(addonPath);
  if (!/undefined symbol|cannot open shared object/.test(message) || stamp === undefined) return message;
  return `${message} (the addon was built against libtorch ${stamp.version ?? '?'} in ${stamp.libdir ?? '?'}, which is missing or changed; rebuild with \`npm run build\`)`;
}

/**
 * The folder holding libtorch's shared libraries at run time, and how it was
 * found: LIBTORCH (a libtorch folder or CMake prefix), else the torch package
 * of PYTHON (default python3), located without importing it.
 */
export function findLibtorch(): { libdir: string; from: string } | { error: string } {
  const env = process.env.LIBTORCH;
  if (env) {
    let dir = resolve(env);
    for (let i = 0; i < 4; i++) {
      if (existsSync(join(dir, 'lib', 'libtorch.so')) || existsSync(join(dir, 'lib', 'libtorch.dylib')))
        return { libdir: join(dir, 'lib'), from: `LIBTORCH=${env}` };
      dir = dirname(dir);
    }
    return { error: `LIBTORCH=${env} holds no lib/libtorch.so` };
  }
  const python = process.env.PYTHON ?? 'python3';
  const r = spawnSync(python, ['-c', "import importlib.util as u; s = u.find_spec('torch'); print(s.submodule_search_locations[0] if s else '')"], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.error || r.status !== 0)
    return { error: `${python} could not be run to find PyTorch (${r.error?.message ?? r.stderr.trim().split('\n').pop() ?? ''})` };
  const pkg = r.stdout.trim();
  if (pkg === '') return { error: `${python} has no torch package` };
  return { libdir: join(pkg, 'lib'), from: `${python}'s torch (${pkg})` };
}

/** Prebuilt binary packages this package lists as optional dependencies and npm installed. */
function prebuiltPackages(root: string): { name: string; dir: string; info: PrebuiltInfo }[] {
  const pkgJson = join(root, 'package.json');
  if (!existsSync(pkgJson)) return [];
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { optionalDependencies?: Record<string, string> };
  const out: { name: string; dir: string; info: PrebuiltInfo }[] = [];
  for (const name of Object.keys(pkg.optionalDependencies ?? {})) {
    let manifest: string;
    try {
      manifest = createRequire(pkgJson).resolve(`${name}/package.json`);
    } catch {
      continue; // not installed for this platform
    }
    const info = (JSON.parse(readFileSync(manifest, 'utf8')) as { torchNode?: PrebuiltInfo }).torchNode;
    if (info !== undefined) out.push({ name, dir: dirname(manifest), info });
  }
  return out;
}

/**
 * Loads a prebuilt binary for the libtorch found now.
 * @throws Error saying what was found and what to install.
 */
function loadPrebuilt<A extends LoadableAddon>(packages: { name: string; dir: string; info: PrebuiltInfo }[], errorClass: new (message: string) => Error): A {
  const found = findLibtorch();
  if ('error' in found) throw new Error(`no libtorch to load the prebuilt binaries against: ${found.error}`);
  const version = installedVersion(found.libdir);
  if (version === undefined) throw new Error(`no version file beside ${found.libdir} (from ${found.from})`);
  const line = version.split('.').slice(0, 2).join('.');
  const cuda = existsSync(join(found.libdir, 'libtorch_cuda.so'));
  const fits = packages.filter((p) => p.info.libtorch === line);
  const pick = fits.find((p) => p.info.variant === (cuda ? 'cuda' : 'cpu')) ?? fits.find((p) => p.info.variant === 'cpu');
  if (pick === undefined) {
    throw new Error(
      `libtorch ${version} from ${found.from}; the installed prebuilt binaries are for ${packages.map((p) => `${p.info.libtorch} (${p.info.variant})`).join(', ')}: ` +
        `install a matching PyTorch (pip install 'torch==${packages[0]?.info.libtorch ?? '2.13'}.*') or build from source (npx @torch-ts/torch build)`,
    );
  }
  const preload = requireHere(join(pick.dir, pick.info.preload)) as { load(path: string): boolean };
  preload.load(join(found.libdir, existsSync(join(found.libdir, 'libtorch.so')) ? 'libtorch.so' : 'libtorch.dylib'));
  const path = join(pick.dir, pick.info.addon);
  const addon = requireHere(path) as A;
  addon.init(errorClass);
  addonInfo = { path, source: 'prebuilt', libdir: found.libdir, libdirFrom: found.from };
  return addon;
}

/**
 * Loads the addon (see the module comment for the order).
 * @throws Error listing every place tried, why each failed, and what to do.
 */
export function loadAddon<A extends LoadableAddon>(errorClass: new (message: string) => Error): A {
  const root = packageRoot();
  // TORCH_NODE_ADDON first; TORCH_NODE_NO_DEFAULT_PATHS=1 looks nowhere else.
  const noDefaults = process.env.TORCH_NODE_NO_DEFAULT_PATHS === '1';
  const builds = noDefaults ? [] : [join(root, 'build', 'Release', 'torch_node.node'), join(root, 'build', 'Debug', 'torch_node.node')];
  const candidates = [process.env.TORCH_NODE_ADDON, ...builds].filter((p): p is string => typeof p === 'string' && p.length > 0);
  const failures: string[] = [];
  for (const p of candidates) {
    if (!existsSync(p)) {
      failures.push(`  ${p}: not found`);
      continue;
    }
    try {
      const addon = requireHere(p) as A;
      addon.init(errorClass);
      checkStamp(addon, p);
      addonInfo = { path: p, source: p === process.env.TORCH_NODE_ADDON ? 'env' : 'build' };
      return addon;
    } catch (e) {
      failures.push(`  ${p}: ${explainLoadFailure((e as Error).message.split('\n')[0] ?? '', p)}`);
    }
  }
  const prebuilt = noDefaults ? [] : prebuiltPackages(root);
  if (prebuilt.length > 0) {
    try {
      return loadPrebuilt<A>(prebuilt, errorClass);
    } catch (e) {
      failures.push(`  prebuilt ${prebuilt.map((p) => p.name).join(', ')}: ${(e as Error).message.split('\n')[0] ?? ''}`);
    }
  } else if (!noDefaults) {
    failures.push(`  prebuilt binary packages: none installed for ${process.platform}-${process.arch}`);
  }
  throw new Error(
    'The torch native addon could not be loaded. Tried:\n' +
      failures.join('\n') +
      '\nIt needs libtorch from PyTorch 2.4 or newer (pip install torch). In this repository run `npm run build` ' +
      '(or `bash scripts/setup.sh`); in an installed package run `npx @torch-ts/torch build` to compile against the PyTorch found ' +
      '(LIBTORCH selects another libtorch).',
  );
}
