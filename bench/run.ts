/**
 * Runs the benchmarks; each compares with Python PyTorch in the same run and
 * prints ratios. `npm run bench` runs all; `npm run bench -- train` one.
 */
const ALL = ['ops', 'train', 'data', 'serialization'] as const;
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const names = wanted.length > 0 ? wanted : [...ALL];
for (const name of names) {
  if (!(ALL as readonly string[]).includes(name)) {
    console.error(`bench: unknown benchmark '${name}'; expected one of: ${ALL.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== ${name} ==`);
  const mod = (await import(`./${name}.js`)) as { main?: () => unknown };
  if (typeof mod.main === 'function') await mod.main();
}
