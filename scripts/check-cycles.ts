/**
 * Import-cycle check for lib/ (what `madge --circular` reports), run by
 * `npm test` as `npm run check:cycles`.
 *
 * Every relative `import ... from` / `export ... from` / bare `import '...'`
 * of each .ts file under lib/ is an edge; type-only imports (`import type`,
 * `export type`, or every named specifier marked `type`) are left out: they
 * are erased when compiling and cannot change the order modules load in.
 * Dynamic `import()` is lazy and left out too. Prints each cycle (strongly
 * connected component) as a path and exits 1 when there is one.
 *
 *   npx tsx scripts/check-cycles.ts [folder ...]   (default: lib)
 */
import { ts } from 'ts-morph';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The file a relative specifier names (`./x.js` is written for `./x.ts`), or null when it is not a source file here. */
function target(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const c of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')]) {
    if (c.endsWith('.ts') && existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

/** Runtime imports of one file. */
export function runtimeImports(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const st of sf.statements) {
    let spec: ts.Expression | undefined;
    let typeOnly = false;
    if (ts.isImportDeclaration(st)) {
      spec = st.moduleSpecifier;
      const clause = st.importClause;
      if (clause !== undefined) {
        const named = clause.namedBindings;
        typeOnly =
          clause.isTypeOnly ||
          (clause.name === undefined &&
            named !== undefined &&
            ts.isNamedImports(named) &&
            named.elements.length > 0 &&
            named.elements.every((e) => e.isTypeOnly));
      }
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier !== undefined) {
      spec = st.moduleSpecifier;
      const named = st.exportClause;
      typeOnly = st.isTypeOnly || (named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
    }
    if (spec === undefined || typeOnly || !ts.isStringLiteral(spec)) continue;
    const t = target(file, spec.text);
    if (t !== null) out.push(t);
  }
  return out;
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan's algorithm. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(comp.reverse());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** One import path around a component, for the report: a -> b -> ... -> a. */
function pathAround(comp: string[], graph: Map<string, string[]>): string[] {
  const inComp = new Set(comp);
  const start = comp[0];
  // Breadth-first from start back to start inside the component.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!inComp.has(w)) continue;
      if (w === start) {
        const p = [start];
        for (let x: string | undefined = v; x !== undefined && x !== start; x = prev.get(x)) p.splice(1, 0, x);
        return [...p, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return comp;
}

function main(): void {
  const dirs = process.argv.slice(2);
  const folders = (dirs.length > 0 ? dirs : ['lib']).map((d) => resolve(root, d));
  const graph = new Map<string, string[]>();
  for (const f of folders.flatMap((d) => sourceFiles(d))) graph.set(f, runtimeImports(f));
  const found = cycles(graph);
  const rel = (f: string): string => relative(root, f);
  if (found.length === 0) {
    console.log(`check-cycles: no import cycles in ${folders.map(rel).join(', ')} (${graph.size} files)`);
    return;
  }
  console.error(`check-cycles: ${found.length} import cycle(s):`);
  for (const c of found) console.error(`  ${pathAround(c, graph).map(rel).join(' -> ')}`);
  process.exitCode = 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
